"""The package type-checks: ``python -m mypy vaani`` (settings in pyproject.toml,
[tool.mypy]) reports no errors (issue 11).

vaani/gui/ is left out while it is being written; every other module counts. Locally, without
mypy (the ``test`` extra), the test is skipped; in CI (``CI`` set) that is a failure.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXEMPT = ("vaani/gui/",)
# "vaani/x.py:12: error: ..." or, with column numbers on, "vaani/x.py:12:5: error: ..."
ERROR = re.compile(r"^(?P<path>[^:]+):\d+(?::\d+)?: error: ")


def errors_outside_exempt(output: str) -> list[str]:
    """mypy's error lines, but those in the exempt folders."""
    out = []
    for line in output.splitlines():
        m = ERROR.match(line)
        if m and not m["path"].replace("\\", "/").startswith(EXEMPT):
            out.append(line)
    return out


def test_the_parser_finds_errors_and_leaves_out_the_gui():
    output = ("vaani/a.py:3: error: Bad  [misc]\n"
              "vaani/a.py:3: note: See here\n"
              "vaani/gui/w.py:9:2: error: Bad  [misc]\n"
              "vaani/b/c.py:10:4: error: Also bad  [arg-type]\n"
              "Found 3 errors in 3 files (checked 9 source files)\n")
    assert errors_outside_exempt(output) == ["vaani/a.py:3: error: Bad  [misc]",
                                             "vaani/b/c.py:10:4: error: Also bad  [arg-type]"]
    assert errors_outside_exempt("Success: no issues found in 9 source files\n") == []


@pytest.mark.slow
def test_mypy_reports_no_errors_outside_the_gui():
    if importlib.util.find_spec("mypy") is None:
        reason = "mypy is not installed (pip install -e '.[test]')"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    proc = subprocess.run([sys.executable, "-m", "mypy", "vaani"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
    output = proc.stdout + proc.stderr
    errors = errors_outside_exempt(output)
    if errors or proc.returncode not in (0, 1):
        print(output)
    # 1: errors were found (perhaps only in the exempt folders); 2: mypy could not check
    # everything (a syntax error anywhere, a bad config, a crash): not "no errors"
    assert proc.returncode in (0, 1), f"mypy failed to run (exit {proc.returncode})"
    assert not errors, f"{len(errors)} mypy errors outside {', '.join(EXEMPT)}:\n" + "\n".join(errors)
