"""The plugin kit: what a plugin author imports, and the one option checker every plugin uses.

A plugin declares its options once, with their types, defaults, ranges and a line of help,
and checks its ``[plugins.NAME]`` table with them in ``vaani_configure``::

    from vaani.kit import Option, hookimpl, plugin_options

    OPTIONS = plugin_options("weather",
        Option("city", str, "Delhi", "the city asked about when none is named"),
        Option("days", int, 3, "how many days a forecast covers", min=1, max=7))

    @hookimpl
    def vaani_configure(table):
        OPTIONS.check(table)          # ConfigError naming the key: plugins.weather.days ...

``check`` returns every option with its default filled in. Engines check their
``[asr.options]``-style tables the same way (:func:`engine_options`). The built-in plugins use
this module too, so a message reads the same whichever plugin it comes from::

    unknown config key 'plugins.weather.dayz' (known keys: city, days)
    plugins.weather.days must be an integer from 1 to 7, got 10
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from vaani.errors import ConfigError
from vaani.hookspecs import (Pending, PluginContext, Reply, Tool, Utterance, hookimpl,
                             hookspec)

__all__ = ["ConfigError", "Option", "Options", "Pending", "PluginContext", "Reply", "Tool",
           "Utterance", "engine_options", "hookimpl", "hookspec", "own_table",
           "plugin_options"]

ANY = object          # ``Option(type=ANY)``: no type check (the ``check`` function does it)


@dataclass(frozen=True)
class Option:
    """One key of a plugin's (or an engine's) option table.

    ``type``: ``bool``, ``int``, ``float`` (an integer is accepted and made a float),
    ``str``, ``list`` or ``dict``; :data:`ANY` to leave the checking to ``check``.
    ``min``/``max`` bound a number (inclusive), ``above`` bounds it from below, exclusive;
    ``choices`` lists the values allowed; ``test(value)`` is any other condition a valid
    value meets (``expect`` then says it in words). ``check(value)`` runs last and returns the value
    to use: it raises ``ValueError("what went wrong")`` (reported as ``PATH: what went
    wrong``) or a :class:`ConfigError` of its own. ``expect`` replaces the generated "must
    be ..." phrase. A ``default`` of None means "not set" (None is then a valid value)."""

    name: str
    type: type = ANY
    default: Any = None
    description: str = ""
    min: float | None = None
    max: float | None = None
    above: float | None = None
    choices: tuple[Any, ...] | None = None
    check: Callable[[Any], Any] | None = None
    expect: str = ""
    test: Callable[[Any], bool] | None = None

    def expectation(self) -> str:
        """What a valid value is, in words: "an integer from 1 to 100"."""
        if self.expect:
            return self.expect
        if self.choices is not None:
            shown = [str(c) for c in self.choices]
            if len(shown) == 2:
                return f"{shown[0]} or {shown[1]}"
            return "one of " + ", ".join(shown)
        if self.type is bool:
            return "true or false"
        if self.type in (int, float):
            noun = "integer" if self.type is int else "number"
            article = "an" if noun == "integer" else "a"
            if self.min is not None and self.max is not None:
                return f"{article} {noun} from {_num(self.min)} to {_num(self.max)}"
            if self.above == 0 or (self.type is int and self.min == 1 and self.max is None):
                return f"a positive {noun}"
            if self.min == 0 and self.max is None:
                return f"a non-negative {noun}"
            if self.min is not None:
                return f"{article} {noun} of at least {_num(self.min)}"
            if self.above is not None:
                return f"{article} {noun} above {_num(self.above)}"
            if self.max is not None:
                return f"{article} {noun} of at most {_num(self.max)}"
            return f"{article} {noun}"
        if self.type is str:
            return "a string"
        if self.type is list:
            return "a list"
        if self.type is dict:
            return "a table"
        return "valid"

    def value(self, raw: Any, path: str) -> Any:
        """``raw`` checked (and converted) for the key at ``path``; ConfigError if bad."""
        if raw is None and self.default is None:
            return None
        bad = ConfigError(f"{path} must be {self.expectation()}, got {raw!r}")
        value = raw
        if self.type is not ANY:
            if self.type is bool:
                if not isinstance(raw, bool):
                    raise bad
            elif self.type in (int, float):
                allowed = int if self.type is int else (int, float)
                if isinstance(raw, bool) or not isinstance(raw, allowed):
                    raise bad
                value = float(raw) if self.type is float else raw
            elif not isinstance(raw, self.type):
                raise bad
        if self.choices is not None and value not in self.choices:
            raise bad
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if ((self.min is not None and value < self.min)
                    or (self.max is not None and value > self.max)
                    or (self.above is not None and value <= self.above)):
                raise bad
        if self.test is not None and not self.test(value):
            raise bad
        if self.check is not None:
            try:
                value = self.check(value)
            except ConfigError:
                raise
            except (ValueError, TypeError) as exc:
                raise ConfigError(f"{path}: {exc}") from None
        return value


def own_table(options: dict[str, Any] | None, engine: str) -> dict[str, Any]:
    """An engine's options out of a table several engines share (``[tts.options]``): flat
    keys, with the sub-table named after the engine over them (``[tts.options.piper]``);
    sub-tables named after other engines are left to those."""
    options = options or {}
    mine = {k: v for k, v in options.items() if not isinstance(v, dict)}
    own = options.get(engine)
    if isinstance(own, dict):
        mine.update(own)
    return mine


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


class Options:
    """A table's options. ``prefix`` names the table in messages (``plugins.clock``,
    ``vad.options``); ``owner`` set (``"engine 'silero'"``) words an unknown key as an
    unknown option of that owner instead of an unknown config key."""

    def __init__(self, prefix: str, options: Iterable[Option], *, owner: str = "") -> None:
        self.prefix = prefix
        self.owner = owner
        self.options: dict[str, Option] = {}
        for option in options:
            if option.name in self.options:
                raise ValueError(f"option {option.name!r} declared twice")
            self.options[option.name] = option

    @property
    def defaults(self) -> dict[str, Any]:
        return {name: o.default for name, o in self.options.items()}

    def path(self, key: str) -> str:
        return f"{self.prefix}.{key}"

    def check(self, table: dict[str, Any] | None) -> dict[str, Any]:
        """Every option's value (the default where ``table`` has none), checked. A key not
        declared, or a value of the wrong type or out of range, is a ConfigError that names
        the key."""
        table = dict(table or {})
        for key in table:
            if key not in self.options:
                if self.owner:
                    raise ConfigError(f"unknown option '{key}' for {self.owner}",
                                      hint="known options: " + (", ".join(sorted(self.options))
                                                                or "none"))
                raise ConfigError(f"unknown config key '{self.path(key)}'",
                                  hint="known keys: " + (", ".join(sorted(self.options))
                                                         or "none"))
        return {name: option.value(table[name], self.path(name)) if name in table
                else option.default for name, option in self.options.items()}

    def describe(self) -> list[dict[str, Any]]:
        """One row per option (name, type, default, what is allowed, description): for
        ``vaani plugins``, READMEs and generated example configs."""
        return [{"name": o.name, "type": getattr(o.type, "__name__", "any")
                 if o.type is not ANY else "any", "default": o.default,
                 "allowed": o.expectation(), "description": o.description}
                for o in self.options.values()]


def plugin_options(name: str, *options: Option) -> Options:
    """The options of the ``[plugins.<name>]`` table."""
    return Options(f"plugins.{name}", options)


def engine_options(section: str, engine: str, *options: Option, kind: str = "") -> Options:
    """The options an engine reads from ``[<section>.options]`` (``section`` = "asr", "vad",
    ...); an unknown key is "unknown option 'x' for <kind> engine '<engine>'"."""
    owner = f"{kind} engine '{engine}'" if kind else f"engine '{engine}'"
    return Options(f"{section}.options", options, owner=owner)
