"""``vaani bench <name>``: benchmarks in ``vaani/bench/<name>.py``.

Each module exposes ``add_arguments(parser)`` and ``run(args) -> int``; a new benchmark is a
new file, nothing to register.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil


def _names() -> list[str]:
    import vaani.bench

    return sorted(m.name for m in pkgutil.iter_modules(vaani.bench.__path__)
                  if not m.name.startswith("_"))


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="benchmarks (latency, ...): figures + a JSON report")
    benches = p.add_subparsers(dest="bench", metavar="NAME")
    for name in _names():
        try:
            module = importlib.import_module(f"vaani.bench.{name}")
        except ImportError as exc:           # an optional dependency of one bench is missing
            benches.add_parser(name, help=f"(unavailable: {exc})").set_defaults(
                func=lambda args, exc=exc: _unavailable(exc))
            continue
        if not (callable(getattr(module, "add_arguments", None))
                and callable(getattr(module, "run", None))):
            continue                         # a helper module, not a benchmark: one such
                                             # file must not break every `vaani` command
        doc = (module.__doc__ or "").strip().splitlines()
        dashed = name.replace("_", "-")
        bp = benches.add_parser(dashed, aliases=[name] if dashed != name else [],
                                help=doc[0] if doc else name, description=module.__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(bp)
        bp.set_defaults(func=module.run)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _unavailable(exc: Exception) -> int:
    print(f"this benchmark cannot run here: {exc}")
    return 2
