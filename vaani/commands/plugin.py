"""``vaani plugin new NAME``: write a ready plugin package to start from.

The package is complete and its tests pass as written: a pyproject registering the
``vaani`` entry point, a skill with every hook a skill usually needs (options checked with
:mod:`vaani.kit`, handle, a side-effect-free preview, a tool with its JSON schema, a
``grounded`` check and its own wording, abilities), tests on VAANI's test kit (the ``vaani``
pytest fixtures) and a README. The example skill counts the letters of a word, in English,
Hindi and romanised Hindi; the author replaces it with theirs.
"""

from __future__ import annotations

import argparse
import re
from importlib import metadata
from pathlib import Path

from vaani.errors import ConfigError

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plugin", help="plugin author tools: `vaani plugin new NAME`")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    new = actions.add_parser("new", help="write a ready plugin package (skill, tool, tests)")
    new.add_argument("name", help="the plugin's name: lower case, digits, _ (e.g. weather)")
    new.add_argument("--dir", help="where to write it (default: ./vaani-NAME)")
    new.set_defaults(func=main_new)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def main_new(args: argparse.Namespace) -> int:
    target = Path(args.dir) if args.dir else Path.cwd() / dist_of(args.name)
    files = new_plugin(args.name, target)
    print(f"wrote the plugin '{args.name}' to {target}:")
    for path in files:
        print(f"  {path.relative_to(target)}")
    print(f"\nnext:\n  cd {target}\n  pytest                      # its tests pass as written"
          f"\n  PYTHONPATH=. VAANI_PLUGINS={package_of(args.name)} vaani ask "
          f"\"how many letters in banana\""
          f"\n  pip install -e .            # then `vaani plugins` lists it")
    return 0


def package_of(name: str) -> str:
    return name if name.startswith("vaani_") else f"vaani_{name}"


def dist_of(name: str) -> str:
    return "vaani-" + name.removeprefix("vaani_").replace("_", "-")


def new_plugin(name: str, target: Path) -> list[Path]:
    """Write the package for plugin ``name`` into the new directory ``target``."""
    if not NAME_RE.match(name):
        raise ConfigError(f"bad plugin name {name!r}",
                          hint="lower-case letters, digits and _, starting with a letter "
                               "(e.g. weather, cricket_scores)")
    installed = {ep.name for ep in metadata.entry_points(group="vaani")}
    if name in installed:
        raise ConfigError(f"a plugin named '{name}' is already installed",
                          hint="choose another name (`vaani plugins` lists the installed ones)")
    if target.exists() and any(target.iterdir()):
        raise ConfigError(f"{target} already exists and is not empty",
                          hint="choose another directory with --dir")
    package = package_of(name)
    values = {"__NAME__": name, "__PACKAGE__": package,
              "__DIST__": dist_of(name),
              "__TITLE__": name.replace("_", " ").capitalize()}
    written = []
    for rel, text in TEMPLATES.items():
        for key, value in values.items():
            rel = rel.replace(key, value)
            text = text.replace(key, value)
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip("\n"), encoding="utf-8")
        written.append(path)
    return written


PYPROJECT = '''
[build-system]
requires = ["setuptools>=69", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "__DIST__"
version = "0.1.0"
description = "__TITLE__: a skill plugin for VAANI, the offline Hindi-first voice assistant"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["vaani"]

[project.optional-dependencies]
test = ["pytest>=8"]

# VAANI finds plugins through this entry-point group: name = module
[project.entry-points.vaani]
__NAME__ = "__PACKAGE__"

[tool.setuptools]
packages = ["__PACKAGE__"]

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["."]
addopts = "-ra"
'''

SKILL = '''
"""__TITLE__: a VAANI skill plugin (written by `vaani plugin new __NAME__`).

The example counts the letters of a word, in English, Hindi and romanised Hindi ("how many
letters in banana", "banana में कितने अक्षर हैं", "banana mein kitne akshar hain"), and
offers the same as a tool the model may call. Replace it with your skill and keep its shape:

* answer only what you are sure of (a question you do not handle goes to other plugins
  and the model: precision first, with tests of what you must NOT answer);
* ``vaani_preview``: the same answer with no side effects, so VAANI can speak it sooner;
* a tool with a JSON schema, a ``grounded`` check (does the call fit what was said?) and
  ``say`` (your own wording of a result);
* options declared once with ``vaani.kit`` and checked in ``vaani_configure``.

VAANI's docs/plugins.md describes every hook, its order and its deadline.

Config (``[plugins.__NAME__]``): ``max_letters`` (longest word counted, 1-100).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from vaani.kit import Option, PluginContext, Reply, Tool, Utterance, hookimpl, plugin_options

NAME = "__NAME__"
OPTIONS = plugin_options(
    NAME, Option("max_letters", int, 30, "the longest word counted", min=1, max=100))

_ENGLISH = re.compile(r"^(?:please )?how many letters (?:are there )?(?:in|does) "
                      r"(?:the word )?['\\"]?([a-z]+)['\\"]?(?: have)?$")
_HINDI = re.compile(r"^['\\"]?([^\\s'\\"]+)['\\"]? (?:में|mein|me) (?:कितने|kitne) "
                    r"(?:अक्षर|akshar) (?:हैं|है|hain|hai)$")
_END = re.compile(r"[\\s?।!.]+$")

_lock = threading.Lock()
_settings: dict[str, Any] = OPTIONS.check({})


def understand(text: str) -> str | None:
    """The word asked about, or None when the question is not one this skill answers."""
    text = _END.sub("", text.strip().lower())
    match = _ENGLISH.match(text) or _HINDI.match(text)
    return match.group(1) if match else None


def count(word: str) -> dict[str, Any]:
    """The result, for a reply and for the tool: the word and how many letters it has."""
    if not word or len(word) > _settings["max_letters"]:
        return {"error": "the word is too long"}
    return {"word": word, "letters": sum(ch.isalpha() for ch in word)}


def say(result: dict[str, Any], language: str) -> str:
    """This skill's own sentence for a result, in the user's language."""
    if "error" in result:
        return "वह शब्द बहुत लंबा है।" if language == "hi" else "That word is too long for me."
    word, letters = result["word"], result["letters"]
    if language == "hi":
        return f"{word} में {letters} अक्षर हैं।"
    return f"{word} has {letters} letter{'' if letters == 1 else 's'}."


def answer(utterance: Utterance) -> Reply | None:
    word = understand(utterance.text)
    if word is None:
        return None
    result = count(word)
    return Reply(say(result, utterance.language), data=result)


def grounded(arguments: dict[str, Any], utterance: str) -> bool:
    """The tool runs only for a word the user said (a model may invent one)."""
    word = str(arguments.get("word", "")).lower()
    return bool(word) and word in re.findall(r"[^\\s'\\"?।!.,]+", utterance.lower())


# -- hooks (each may declare only the arguments it needs) ----------------------------------

@hookimpl
def vaani_configure(table: dict[str, Any]) -> None:
    OPTIONS.check(table)                  # a bad key is a ConfigError that names it


@hookimpl
def vaani_startup(ctx: PluginContext) -> None:
    global _settings
    with _lock:
        _settings = OPTIONS.check(ctx.table)


@hookimpl
def vaani_shutdown() -> None:
    global _settings
    with _lock:
        _settings = OPTIONS.check({})


@hookimpl
def vaani_handle(utterance: Utterance) -> Reply | None:
    return answer(utterance)


@hookimpl
def vaani_preview(utterance: Utterance) -> Reply | None:
    return answer(utterance)              # a pure function of the utterance: safe ahead


@hookimpl
def vaani_tools() -> list[Tool]:
    return [Tool(NAME, "how many letters a word has", {"word": "string"},
                 lambda arguments, language: count(str(arguments.get("word", "")).lower()),
                 grounded=grounded, say=say)]


@hookimpl
def vaani_abilities(language: str) -> list[str]:
    return ["किसी शब्द के अक्षर गिनना" if language == "hi" else "counting the letters of a word"]
'''

CONFTEST = '''
"""The ``vaani`` fixtures come with VAANI (its pytest plugin); this says what they load."""

import pytest

import __PACKAGE__


@pytest.fixture
def vaani_plugins():
    return {"__NAME__": __PACKAGE__}
'''

TESTS = '''
"""Tests of the __NAME__ skill on VAANI's test kit: `vaani.ask(text)` runs a whole typed
turn (plugins, else the model: a scripted fake unless `@pytest.mark.vaani(engines="real")`)
and returns the reply, the plugin that answered, tool calls and events."""

import pytest

from vaani.errors import ConfigError
from vaani.testing import PluginKit

import __PACKAGE__


@pytest.mark.parametrize("question, reply", [
    ("how many letters in banana", "banana has 6 letters."),
    ("How many letters are there in the word 'pineapple'?", "pineapple has 9 letters."),
    ("banana में कितने अक्षर हैं?", "banana में 6 अक्षर हैं।"),
    ("banana mein kitne akshar hain", "banana में 6 अक्षर हैं।"),
])
def test_answers_in_english_hindi_and_hinglish(vaani, question, reply):
    said = vaani.ask(question)
    assert (said.text, said.plugin) == (reply, "__NAME__")


@pytest.mark.parametrize("question", [
    "how many letters did I get today",
    "write a letter to mom",
    "अक्षर क्या होते हैं",
    "what time is it",
])
def test_leaves_other_questions_to_others(vaani, question):
    assert vaani.handle(question) is None


def test_the_preview_is_the_answer(vaani):
    question = "how many letters in banana"
    assert vaani.preview(question).text == vaani.handle(question).reply.text


def test_the_model_can_call_the_tool(vaani):
    vaani.model_calls("__NAME__", {"word": "banana"})
    said = vaani.ask("count the letters of banana for me")
    assert said.text == "banana has 6 letters." and said.source == "llm"
    assert said.tool_calls[0]["result"] == {"word": "banana", "letters": 6}


def test_the_tool_runs_only_for_a_word_the_user_said(vaani):
    tool = vaani.tools()["__NAME__"]
    assert tool.schema()["function"]["parameters"]["properties"] == {"word": {"type": "string"}}
    assert "error" in vaani.call_tool("__NAME__", {"word": "apple"}, utterance="letters of banana")


@pytest.mark.vaani(config={"plugins": {"__NAME__": {"max_letters": 5}}})
def test_options(vaani):
    assert vaani.ask("how many letters in banana").text == "That word is too long for me."


def test_a_bad_option_is_an_error_naming_the_key():
    kit = PluginKit({"__NAME__": __PACKAGE__}, config={"plugins": {"__NAME__": {"max_letters": 0}}})
    with pytest.raises(ConfigError, match="plugins.__NAME__.max_letters"):
        kit.start()


def test_abilities(vaani):
    assert vaani.abilities("en") == ["counting the letters of a word"]
    assert vaani.abilities("hi") == ["किसी शब्द के अक्षर गिनना"]


@pytest.mark.vaani(entry_points=True)
def test_next_to_every_installed_plugin(vaani):
    assert vaani.ask("how many letters in banana").plugin == "__NAME__"
    assert vaani.ask("what time is it").plugin != "__NAME__"
'''

README = '''
# __DIST__

__TITLE__, a skill plugin for VAANI, the offline Hindi-first voice assistant. Written by
`vaani plugin new __NAME__`: the example skill counts the letters of a word ("how many
letters in banana", "banana में कितने अक्षर हैं"); make it yours.

```
__PACKAGE__/__init__.py   the skill: hooks, a tool with its schema, options
tests/                    tests on VAANI's test kit (the `vaani` pytest fixtures)
pyproject.toml            the `vaani` entry point that makes VAANI load it
```

## Try it

```sh
pytest                                        # the tests pass as written
PYTHONPATH=. VAANI_PLUGINS=__PACKAGE__ vaani ask "how many letters in banana"  # not installed
pip install -e .                              # install: `vaani plugins` lists it
```

Options go in VAANI's config: `[plugins.__NAME__]` with `max_letters = 20`.

## Make it yours

- `understand()` decides what the skill answers: keep it precise and add every question it
  must not answer to `test_leaves_other_questions_to_others`.
- `vaani_preview` only for answers with no side effects (a timer acts: no preview).
- The tool is what the model may call when no plugin answered; `grounded` refuses a call
  whose arguments the user did not say; `say` words a result.
- Declare options with `vaani.kit.Option`; `OPTIONS.check(table)` reports a bad key by name.
- The test kit: `vaani.ask(text)` (reply, plugin, tool calls, events), `vaani.handle`,
  `vaani.preview`, `vaani.call_tool`, `vaani.model_calls(tool, arguments)`,
  `vaani_time.advance(minutes=5)` for `ctx.now`, `@pytest.mark.vaani(config=...)`.

VAANI's `docs/plugins.md` describes the hooks, their order and deadlines.
'''

TEMPLATES = {
    "pyproject.toml": PYPROJECT,
    "README.md": README,
    "__PACKAGE__/__init__.py": SKILL,
    "tests/conftest.py": CONFTEST,
    "tests/test___NAME__.py": TESTS,
}
