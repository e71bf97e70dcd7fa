"""Installed apps, from their freedesktop desktop entries, found by the name a user says.

Entries are read from ``$XDG_DATA_HOME/applications`` (``~/.local/share/applications``) and
each ``$XDG_DATA_DIRS/applications`` (``/usr/local/share``, ``/usr/share``), the user's first:
an entry there hides a system one with the same desktop file ID. Only ``Type=Application``
entries that are not ``Hidden``, not ``NoDisplay`` and whose ``TryExec`` program is installed
count. The index is re-read when a folder changes.

A spoken name is matched, whole words only, against (best first):

0. an entry's ``Name`` (or a translation, ``Name[hi]``), its desktop file ID
   (``org.gnome.Calculator`` -> "calculator") or its program ("gnome-calculator");
1. its ``GenericName`` or one of its ``Keywords`` (only after "open"/"launch"/"खोलो", never
   after "start"/"run"/"चलाओ", which are too often said of other things: "start a timer");
2. a run of words in its ``Name`` ("writer" -> "LibreOffice Writer").

A name said in Devanagari ("फ़ायरफ़ॉक्स", "कैलकुलेटर") is looked up in a short table of
app words and otherwise compared by its consonants ("थंडरबर्ड" ~ "Thunderbird"), and only
when it has at least three, so a Hindi word ("खाता") never opens an app ("Kate").

:func:`exec_argv` turns an ``Exec`` line into an argv list by the specification's quoting
rules, dropping the field codes (``%u``, ``%F`` ...): it is run without a shell.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vaani.language import DEVANAGARI, deva_key, word_key, words


# -- parsing ------------------------------------------------------------------------------

_ESCAPES = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\", ";": ";"}


def unescape(value: str, keep_semicolon: bool = False) -> str:
    r"""A desktop entry string value with ``\s``, ``\n``, ``\t``, ``\r`` and ``\\`` resolved
    (``\;`` kept escaped when the caller still has to split a list on ``;``)."""
    out: list[str] = []
    i = 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value) and value[i + 1] in _ESCAPES:
            nxt = value[i + 1]
            out.append("\\;" if nxt == ";" and keep_semicolon else _ESCAPES[nxt])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def split_list(value: str) -> tuple[str, ...]:
    """A ``;``-separated list value (``Keywords``), escapes resolved, empties dropped."""
    parts = re.split(r"(?<!\\);", unescape(value, keep_semicolon=True))
    return tuple(p.replace("\\;", ";").strip() for p in parts if p.strip())


def read_entry(path: str | Path) -> dict[str, str]:
    """The keys of a desktop file's ``[Desktop Entry]`` group (localised keys as written:
    ``Name[hi]``); raw values, unescaped by the caller. Unreadable files give {}."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    out: dict[str, str] = {}
    group = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1]
            continue
        if group != "Desktop Entry" or "=" not in line:
            continue
        key, _, value = line.partition("=")
        out.setdefault(key.strip(), value.strip())
    return out


LOCALES = ("hi", "en")      # translations a user of VAANI may say an app's name in


def _localised(entry: dict[str, str], key: str) -> list[str]:
    """The values of ``key`` and of its Hindi and English translations (``Name``,
    ``Name[hi]``, ``Name[en_GB]``); the dozens of others are never said to VAANI."""
    out = []
    for k, v in entry.items():
        if k == key:
            out.append(v)
        elif k.startswith(key + "[") and k.endswith("]"):
            locale = k[len(key) + 1:-1].split("_")[0].split("@")[0].split(".")[0]
            if locale in LOCALES:
                out.append(v)
    return out


def split_exec(value: str) -> list[str]:
    """An ``Exec`` value (already unescaped) split into arguments: whitespace separates,
    double quotes group, and inside them a backslash escapes ``"``, `````, ``$`` and ``\\``.
    ValueError on an unterminated quote."""
    args: list[str] = []
    cur: list[str] = []
    quoted = started = False
    i = 0
    while i < len(value):
        c = value[i]
        if quoted:
            if c == "\\" and i + 1 < len(value) and value[i + 1] in '"`$\\':
                cur.append(value[i + 1])
                i += 2
                continue
            if c == '"':
                quoted = False
            else:
                cur.append(c)
        elif c == '"':
            quoted = started = True
        elif c in " \t\n":
            if cur or started:
                args.append("".join(cur))
            cur, started = [], False
        else:
            cur.append(c)
        i += 1
    if quoted:
        raise ValueError("unterminated quote in Exec")
    if cur or started:
        args.append("".join(cur))
    return args


_FILE_CODES = frozenset("%f %F %u %U %d %D %n %N %v %m".split())


def exec_argv(value: str, name: str = "", icon: str = "", path: str = "") -> list[str]:
    """The argv an ``Exec`` line runs, with no files or URLs to open: field codes for them
    dropped, ``%i`` -> ``--icon ICON``, ``%c`` -> the name, ``%k`` -> the file, ``%%`` -> %."""
    out: list[str] = []
    for arg in split_exec(unescape(value)):
        if arg in _FILE_CODES:
            continue
        if arg == "%i":
            out += ["--icon", icon] if icon else []
            continue
        if arg == "%c":
            out.append(name)
            continue
        if arg == "%k":
            out.append(path)
            continue
        out.append(re.sub(r"%(.)", lambda m: "%" if m.group(1) == "%" else "", arg))
    if not out or not out[0]:
        raise ValueError("Exec has no program")
    return out


# -- entries ------------------------------------------------------------------------------

@dataclass(frozen=True)
class App:
    id: str                          # desktop file ID without ".desktop": "org.gnome.Calculator"
    path: str
    name: str                        # Name, as shown
    names: tuple[str, ...]           # Name and its translations
    generic: tuple[str, ...]         # GenericName and its translations
    keywords: tuple[str, ...]
    exec: str                        # the raw Exec value
    icon: str = ""
    terminal: bool = False
    standard: bool = True            # in a folder gtk-launch searches (the XDG ones)
    name_hi: str = ""                # Name[hi], to say in a Hindi reply

    def argv(self) -> list[str]:
        return exec_argv(self.exec, self.name, self.icon, self.path)


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def app_from(entry: dict[str, str], app_id: str, path: str,
             which: Callable[[str], str | None], standard: bool = True) -> App | None:
    """An :class:`App` from a parsed entry, or None if it is not one a user can open."""
    if entry.get("Type", "Application") != "Application":
        return None
    if _true(entry.get("Hidden")) or _true(entry.get("NoDisplay")):
        return None
    name = unescape(entry.get("Name", "")).strip()
    exec_ = entry.get("Exec", "").strip()
    if not name or not exec_:
        return None
    try_exec = unescape(entry.get("TryExec", "")).strip()
    if try_exec and which(try_exec) is None and not (os.path.isabs(try_exec)
                                                    and os.access(try_exec, os.X_OK)):
        return None
    names = tuple(dict.fromkeys([name] + [unescape(v).strip() for v in _localised(entry, "Name")
                                          if unescape(v).strip()]))
    generic = tuple(dict.fromkeys(unescape(v).strip() for v in _localised(entry, "GenericName")
                                  if unescape(v).strip()))
    keywords = tuple(dict.fromkeys(k for v in _localised(entry, "Keywords") for k in split_list(v)))
    name_hi = unescape(entry.get("Name[hi]") or entry.get("Name[hi_IN]") or "").strip()
    return App(app_id, path, name, names, generic, keywords, exec_,
               unescape(entry.get("Icon", "")).strip(), _true(entry.get("Terminal")), standard,
               name_hi)


def default_dirs(env: dict[str, str] | None = None) -> list[str]:
    """The XDG application folders, the user's first."""
    env = dict(os.environ if env is None else env)
    home = env.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    system = env.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    dirs = [os.path.join(home, "applications")]
    dirs += [os.path.join(d, "applications") for d in system.split(":") if d]
    return list(dict.fromkeys(dirs))


def scan(dirs: Sequence[str], which: Callable[[str], str | None],
         standard: Iterable[str] = ()) -> list[App]:
    """Every app in ``dirs``; a desktop file ID seen in an earlier folder hides later ones
    (and a hidden or NoDisplay entry in the user's folder hides the system one too)."""
    standard = set(standard)
    seen: set[str] = set()
    apps: list[App] = []
    for d in dirs:
        root = Path(d)
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.desktop")):
            rel = path.relative_to(root).as_posix()
            app_id = rel[:-len(".desktop")].replace("/", "-")
            if app_id in seen:
                continue
            seen.add(app_id)
            app = app_from(read_entry(path), app_id, str(path), which, d in standard)
            if app is not None:
                apps.append(app)
    return apps


# -- matching -----------------------------------------------------------------------------

# App words as Hindi speakers write them, keyed by deva_key: the Latin word they stand for.
_HINDI_APP_WORDS = {
    "फ़ायरफ़ॉक्स": "firefox", "फायरफोक्स": "firefox", "फ़ायरफ़ॉक्‍स": "firefox",
    "क्रोम": "chrome", "क्रोमियम": "chromium", "कैलकुलेटर": "calculator",
    "कैल्कुलेटर": "calculator", "टर्मिनल": "terminal", "सेटिंग्स": "settings",
    "सेटिंग": "settings", "सेटिंग्ज़": "settings", "फ़ाइल्स": "files", "फ़ाइलें": "files",
    "फाइल्स": "files", "ब्राउज़र": "browser", "ब्राउजर": "browser", "कैमरा": "camera",
    "कैलेंडर": "calendar", "कैलेन्डर": "calendar", "थंडरबर्ड": "thunderbird",
    "वीएलसी": "vlc", "स्पॉटिफ़ाई": "spotify", "स्पोटिफाई": "spotify", "ज़ूम": "zoom",
    "टेलीग्राम": "telegram", "व्हाट्सऐप": "whatsapp", "व्हाट्सएप": "whatsapp",
    "गिम्प": "gimp", "लिब्रेऑफ़िस": "libreoffice", "लिब्रे": "libre", "ऑफ़िस": "office",
    "राइटर": "writer", "टेक्स्ट": "text", "एडिटर": "editor", "फ़ोटोज़": "photos",
    "फ़ोटो": "photos", "स्काइप": "skype", "डिस्कॉर्ड": "discord", "स्टीम": "steam",
    "ब्लेंडर": "blender", "इंकस्केप": "inkscape", "ऑडेसिटी": "audacity", "ओबीएस": "obs",
    "गेडिट": "gedit", "नॉटिलस": "nautilus", "कंसोल": "konsole", "डॉल्फ़िन": "dolphin",
    "कोड": "code", "वीएस": "vs", "एज": "edge", "ब्रेव": "brave", "ओपेरा": "opera",
    "सिग्नल": "signal", "स्लैक": "slack", "टीम्स": "teams", "नोटपैड": "notepad",
}
HINDI_APP_WORDS = {deva_key(unicodedata.normalize("NFC", k)): v
                   for k, v in _HINDI_APP_WORDS.items()}

# Consonant classes shared by English spelling and Devanagari, for names said in Hindi.
_LATIN_STEPS = (
    (re.compile(r"[^a-z]"), ""), (re.compile(r"ph"), "f"), (re.compile(r"ck"), "k"),
    (re.compile(r"qu"), "kv"), (re.compile(r"x"), "ks"), (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"sh"), "s"), (re.compile(r"(?<=[kgtdpb])h"), ""), (re.compile(r"ch"), "C"),
    (re.compile(r"c"), "k"), (re.compile(r"q"), "k"), (re.compile(r"w"), "v"),
    (re.compile(r"z"), "j"), (re.compile(r"[aeiouyh]"), ""),
)
_DEVA_CONSONANTS = {
    "क": "k", "ख": "k", "ग": "g", "घ": "g", "च": "C", "छ": "C", "ज": "j", "झ": "j",
    "ट": "t", "ठ": "t", "ड": "d", "ढ": "d", "त": "t", "थ": "t", "द": "d", "ध": "d",
    "न": "n", "ण": "n", "ञ": "n", "ङ": "n", "प": "p", "फ": "f", "ब": "b", "भ": "b",
    "म": "m", "र": "r", "ल": "l", "व": "v", "स": "s", "श": "s", "ष": "s", "ं": "n",
}
_NUKTA = {unicodedata.normalize("NFC", k): v for k, v in
          {"ड़": "r", "ढ़": "r", "ज़": "j", "फ़": "f", "क़": "k", "ख़": "k", "ग़": "g"}.items()}


def skeleton(word: str) -> str:
    """The consonants of a word as said, the same for "Thunderbird" and "थंडरबर्ड"
    ("tndrbrd"), doubled ones once."""
    if DEVANAGARI.search(word):
        text = unicodedata.normalize("NFC", word)
        out = []
        for i, ch in enumerate(text):
            pair = text[i:i + 2]
            if pair in _NUKTA:                  # NFC writes ज़ as ज + nukta
                out.append(_NUKTA[pair])
            elif ch in _DEVA_CONSONANTS:
                out.append(_DEVA_CONSONANTS[ch])
        key = "".join(out)
    else:
        key = word.lower()
        for pattern, repl in _LATIN_STEPS:
            key = pattern.sub(repl, key)
    return re.sub(r"(.)\1+", r"\1", key)


MIN_SKELETON = 3


Word = tuple[str, str]          # a word of a name: (spelling key, consonants)


def _word(x: str) -> Word:
    return word_key(x), skeleton(x)


@dataclass(frozen=True)
class Said:
    """One word of a spoken app name: its key, and its consonants when it was said in
    Devanagari and is not a known app word (then only they can match)."""

    key: str
    consonants: str = ""

    def matches(self, word: Word) -> bool:
        if self.consonants:
            return len(self.consonants) >= MIN_SKELETON and word[1] == self.consonants
        return self.key == word[0]

    def within(self, keys: frozenset[str]) -> bool:
        return (self.consonants in keys) if self.consonants else (self.key in keys)


def said_name(tokens: Sequence[str]) -> tuple[Said, ...]:
    out = []
    for tok in tokens:
        if DEVANAGARI.search(tok):
            known = HINDI_APP_WORDS.get(deva_key(tok))
            out.append(Said(word_key(known)) if known else Said(deva_key(tok), skeleton(tok)))
        else:
            out.append(Said(word_key(tok)))
    return tuple(out)


def _same(said: Sequence[Said], name: Sequence[Word]) -> bool:
    return len(said) == len(name) and all(s.matches(w) for s, w in zip(said, name))


def _within(said: Sequence[Said], name: Sequence[Word]) -> bool:
    """``said`` is a run of whole words of ``name`` (prefix, middle or end)."""
    n = len(said)
    return any(_same(said, name[i:i + n]) for i in range(len(name) - n + 1))


def _devanagari_name(said: Sequence[Said], name: Sequence[Word]) -> bool:
    """A Devanagari word also matches a name written in Devanagari (``Name[hi]``)."""
    return len(said) == len(name) and all(
        bool(s.consonants) and w[0] == s.key for s, w in zip(said, name))


def id_words(app: App) -> list[tuple[str, ...]]:
    """What an app is called by its file and program: ("calculator",) for
    org.gnome.Calculator, ("gnome", "calculator") for gnome-calculator."""
    last = app.id.rsplit(".", 1)[-1] if "." in app.id else app.id
    out = [words(last.replace("_", " "))]
    try:
        program = os.path.basename(app.argv()[0])
    except ValueError:
        program = ""
    if program:
        out.append(words(program.replace("_", " ")))
    return [w for w in out if w]


@dataclass(frozen=True)
class AppKeys:
    """An app's names as words to match, worked out once per scan."""

    names: tuple[tuple[Word, ...], ...]
    ids: tuple[tuple[Word, ...], ...]
    generic: tuple[tuple[Word, ...], ...]          # GenericName and Keywords
    all: frozenset[str]                             # every key and consonant string

    @classmethod
    def of(cls, app: App) -> AppKeys:
        def phrases(texts: Iterable[Sequence[str]]) -> tuple[tuple[Word, ...], ...]:
            return tuple(dict.fromkeys(tuple(_word(x) for x in t) for t in texts if t))

        names = phrases(words(n) for n in app.names)
        ids = phrases(id_words(app))
        generic = phrases(words(g) for g in (*app.generic, *app.keywords))
        every = {part for group in (names, ids, generic) for phrase in group
                 for word in phrase for part in word}
        return cls(names, ids, generic, frozenset(every))


def tier(app: App, said: Sequence[Said], strong: bool, keys: AppKeys | None = None) -> int | None:
    """How well ``said`` names ``app``: 0 its name, file or program; 1 its generic name or a
    keyword (``strong`` verbs only); 2 words of its name; None: not at all."""
    if not said:
        return None
    k = keys or AppKeys.of(app)
    if not all(s.within(k.all) for s in said):
        return None
    if any(_same(said, n) or _devanagari_name(said, n) for n in k.names) or any(
            _same(said, w) for w in k.ids):
        return 0
    if strong and any(_same(said, g) for g in k.generic):
        return 1
    if any(_within(said, n) for n in k.names) or any(
            _same(said, w[:len(said)]) for w in k.ids):
        return 2
    return None


class AppIndex:
    """The installed apps, re-read when one of the folders changes. Thread-safe."""

    def __init__(self, dirs: Sequence[str] | None, which: Callable[[str], str | None]) -> None:
        self.configured = list(dirs) if dirs else None
        self.which = which
        self._lock = threading.Lock()
        self._stamp: tuple[tuple[str, int], ...] | None = None
        self._apps: list[tuple[App, AppKeys]] = []

    def dirs(self) -> list[str]:
        return list(self.configured) if self.configured else default_dirs()

    def _stamp_of(self, dirs: Sequence[str]) -> tuple[tuple[str, int], ...]:
        out = []
        for d in dirs:
            try:
                out.append((d, os.stat(d).st_mtime_ns))
            except OSError:
                out.append((d, -1))
        return tuple(out)

    def _entries(self) -> list[tuple[App, AppKeys]]:
        dirs = self.dirs()
        stamp = self._stamp_of(dirs)
        with self._lock:
            if stamp != self._stamp:
                self._apps = [(app, AppKeys.of(app))
                              for app in scan(dirs, self.which, default_dirs())]
                self._stamp = stamp
            return self._apps

    def apps(self) -> list[App]:
        return [app for app, _ in self._entries()]

    def find(self, tokens: Sequence[str], strong: bool = True) -> list[App]:
        """The apps the spoken name fits best (several: it is ambiguous; none: not an app)."""
        said = said_name(tokens)
        best: int | None = None
        found: list[App] = []
        for app, keys in self._entries():
            t = tier(app, said, strong, keys)
            if t is None:
                continue
            if best is None or t < best:
                best, found = t, [app]
            elif t == best:
                found.append(app)
        unique: dict[tuple[str, str], App] = {}
        for app in found:                      # the same app installed twice: one
            unique.setdefault((app.name.lower(), app.exec), app)
        return list(unique.values())
