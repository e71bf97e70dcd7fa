"""Notes and lists: keep a shopping list, a to-do list, named lists and quick notes by voice,
in Hindi, English and Hinglish.

"add milk to my shopping list", "put eggs and bread on the grocery list", "मेरी सूची में दूध
जोड़ो", "doodh ko list mein add karo", "what's on my list", "meri list mein kya hai", "remove
milk from my list", "लिस्ट से दूध हटा दो", "note that the car is parked on level 2", "नोट कर
लो कि गाड़ी लेवल 2 पर है", "what are my notes", "delete the last note", "आख़िरी नोट हटा दो",
"clear my shopping list" (asks first: "Say yes to confirm"), "what lists do I have",
"add sunscreen to my packing list" (a new list, said so in the reply).

"my list" / "मेरी सूची" with no name is the ``default_list`` (shopping). Items are kept as
said; "milk, eggs and bread" is three. Stored in SQLite (``notes.sqlite3`` in
:func:`vaani.config.data_dir`, made on the first write). ``python -m vaani_notes export``
writes every list as Markdown (:mod:`vaani_notes.export`).

Config (``[plugins.notes]``): ``default_list`` (default "shopping"), ``max_items`` (per
list, default 500).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaani.hookspecs import PluginContext, Reply, Tool, Utterance, hookimpl
from vaani.kit import Option, plugin_options
from vaani.language import word_key, words
from vaani.numwords import hindi_words

from vaani_notes.store import Item, NoteList, NoteStore
from vaani_notes.understand import (LIST, NAMED, NOTE, ListRef, NoteRequest, find_list,
                                    list_key, no, understand, yes)

log = logging.getLogger(__name__)

NAME = "notes"
DB_NAME = "notes.sqlite3"
CONFIRM_S = 60.0            # how long "clear my list? say yes" waits for the yes

OPTIONS = plugin_options(
    NAME,
    Option("default_list", str, "shopping", 'the list "my list" means ("shopping", "todo", or '
                                             "a name)", test=lambda v: bool(v.strip())),
    Option("max_items", int, 500, "most items a list keeps", min=1, max=10000))


@dataclass(frozen=True)
class Settings:
    default_list: str = "shopping"
    max_items: int = 500


def settings(table: dict[str, Any]) -> Settings:
    values = OPTIONS.check(table)
    return Settings(list_key(values["default_list"].split()), values["max_items"])


# -- words ----------------------------------------------------------------------------------

def list_name(key: str, name: str, language: str) -> str:
    """"shopping list" / "ख़रीदारी की सूची", "notes" / "नोट्स", "packing list" /
    "packing की सूची"."""
    if language == "hi":
        known = {"shopping": "ख़रीदारी की सूची", "todo": "काम की सूची", "notes": "नोट्स"}
        return known.get(key) or f"{name or key} की सूची"
    known = {"shopping": "shopping list", "todo": "to-do list", "notes": "notes"}
    return known.get(key) or f"{name or key} list"


def _join(items: list[str], language: str) -> str:
    word = "और" if language == "hi" else "and"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1]


def _things_hi(n: int) -> str:
    return f"{hindi_words(n)} {'चीज़' if n == 1 else 'चीज़ें'}"


_ARTICLES = {word_key(x) for x in "the a an some".split()}


def item_keys(text: str) -> tuple[str, ...]:
    """What tells items apart: word keys without articles, English plurals folded."""
    out = []
    for x in words(text):
        k = word_key(x)
        if k in _ARTICLES:
            continue
        if x.isascii() and len(k) > 3 and k.endswith("s"):
            k = k[:-1]
        out.append(k)
    return tuple(out)


# -- the skill ------------------------------------------------------------------------------

@dataclass
class Confirm:
    list_id: int
    key: str
    name: str
    language: str
    expires: float


class NotesSkill:
    def __init__(self, store: NoteStore, now: Callable[[], float] = time.time,
                 config: Settings = Settings()) -> None:
        self.store = store
        self.now = now
        self.config = config
        self._lock = threading.Lock()
        self._confirm: Confirm | None = None

    # -- lists --

    def _key_of(self, ref: ListRef | None) -> tuple[str, str]:
        if ref is None or not ref.key:
            return self.config.default_list, self.config.default_list
        return ref.key, ref.name or ref.key

    def _existing(self, ref: ListRef | None) -> tuple[NoteList | None, str, str]:
        key, name = self._key_of(ref)
        return self.store.find(key), key, name

    # -- turns --

    def handle(self, utterance: Utterance) -> Reply | None:
        language = utterance.language if utterance.language in ("hi", "en") else "en"
        with self._lock:
            confirm, self._confirm = self._confirm, None
        if confirm is not None and confirm.expires >= self.now():
            if yes(utterance.text):
                self.store.clear(confirm.list_id)
                name = list_name(confirm.key, confirm.name, language)
                text = f"{name} ख़ाली कर दी।" if language == "hi" else f"Cleared your {name}."
                return Reply(text, language, {"action": "clear", "list": confirm.key})
            if no(utterance.text):
                text = "ठीक है, कुछ नहीं हटाया।" if language == "hi" else \
                    "OK, I left it as it is."
                return Reply(text, language, {"action": "clear", "cancelled": True})
        r = understand(utterance.text, language)
        if r is None:
            return None
        return self.answer(r, language)

    def preview(self, utterance: Utterance) -> Reply | None:
        """Reading is side-effect free; everything else writes (or waits for a yes)."""
        with self._lock:
            if self._confirm is not None:
                return None
        language = utterance.language if utterance.language in ("hi", "en") else "en"
        r = understand(utterance.text, language)
        if r is None or r.action not in ("read", "lists", "check"):
            return None
        return self.answer(r, language)

    def answer(self, r: NoteRequest, language: str) -> Reply | None:
        return {"add": self._add, "note": self._note, "read": self._read, "check": self._check,
                "remove": self._remove, "remove_last": self._remove_last,
                "clear": self._clear, "lists": self._lists}[r.action](r, language)

    def add_items(self, ref: ListRef | None, texts: list[str],
                  language: str) -> tuple[NoteList, bool, list[str], list[str], str]:
        """(list, made now, added, already there, error)."""
        key, name = self._key_of(ref)
        lst, made = self.store.ensure(key, name, self.now())
        have = {item_keys(i.text) for i in self.store.items(lst.id)}
        added, dup = [], []
        for text in texts:
            (dup if item_keys(text) in have else added).append(text)
            have.add(item_keys(text))
        if len(have) > self.config.max_items:
            return lst, made, [], dup, "full"
        self.store.add(lst.id, added, language, self.now())
        return lst, made, added, dup, ""

    def _add(self, r: NoteRequest, language: str) -> Reply:
        hi = language == "hi"
        if r.target is not None and r.target.key == "notes" and len(r.items) == 1:
            return self._note(NoteRequest("note", r.target, text=r.items[0]), language)
        lst, made, added, dup, error = self.add_items(r.target, list(r.items), language)
        name = list_name(lst.key, lst.name, language)
        data = {"action": "add", "list": lst.key, "added": added, "already": dup, "new": made}
        if error:
            text = (f"{name} भरी हुई है ({hindi_words(self.config.max_items)} चीज़ें)।" if hi
                    else f"Your {name} is full ({self.config.max_items} items).")
            return Reply(text, language, {**data, "error": error})
        if not added:
            text = (f"{_join(dup, 'hi')} पहले से {name} में है।" if hi
                    else f"{_join(dup, 'en').capitalize()} is already on your {name}.")
            return Reply(text, language, data)
        if hi:
            verb = "जोड़ दिया" if len(added) == 1 else "जोड़ दिए"
            text = f"{'नई ' if made else ''}{name} में {_join(added, 'hi')} {verb}।"
            if dup:
                text += f" {_join(dup, 'hi')} पहले से था।"
        else:
            text = f"Added {_join(added, 'en')} to your {'new ' if made else ''}{name}."
            if dup:
                text += f" {_join(dup, 'en').capitalize()} was already there."
        return Reply(text, language, data)

    def _note(self, r: NoteRequest, language: str) -> Reply:
        lst, _ = self.store.ensure("notes", "notes", self.now())
        (item,) = self.store.add(lst.id, [r.text], language, self.now())
        text = f"नोट कर लिया: {r.text}।" if language == "hi" else f"Noted: {r.text}."
        return Reply(text, language, {"action": "note", "list": "notes", "id": item.id,
                                      "text": r.text})

    def _read(self, r: NoteRequest, language: str) -> Reply | None:
        hi = language == "hi"
        lst, key, name_ = self._existing(r.target)
        items = self.store.items(lst.id) if lst is not None else []
        name = list_name(key, lst.name if lst else name_, language)
        data = {"action": "read", "list": key, "items": [i.text for i in items]}
        if lst is None and key not in ("shopping", "todo", "notes", self.config.default_list):
            if r.target is not None and not r.target.mine:
                return None                  # "भारत के राज्यों की सूची बताओ": not the user's list
            text = f"आपकी कोई {name} नहीं है।" if hi else f"You don't have a {name}."
            return Reply(text, language, {**data, "missing": True})
        if not items:
            if key == "notes":
                text = "कोई नोट नहीं है।" if hi else "You have no notes."
            else:
                text = f"{name} ख़ाली है।" if hi else f"Your {name} is empty."
            return Reply(text, language, data)
        if r.text == "last":
            last = items[-1].text
            text = f"आख़िरी नोट: {last}।" if hi and key == "notes" else \
                f"{name} में आख़िरी: {last}।" if hi else \
                f"Your last note: {last}." if key == "notes" else \
                f"The last item on your {name}: {last}."
            return Reply(text, language, {**data, "items": [last]})
        shown = [i.text for i in items[:15]]
        more = len(items) - len(shown)
        if key == "notes":
            body = "; ".join(shown)
            if hi:
                text = f"आपके {hindi_words(len(items))} नोट हैं: {body}" if len(items) > 1 \
                    else f"आपका एक नोट है: {body}"
            else:
                text = (f"You have {len(items)} notes: {body}" if len(items) > 1
                        else f"You have one note: {body}")
        else:
            body = _join(shown, language) if not more else ", ".join(shown)
            if hi:
                text = f"{name} में {_things_hi(len(items))} हैं: {body}" if len(items) > 1 \
                    else f"{name} में एक चीज़ है: {body}"
            else:
                text = (f"Your {name} has {len(items)} items: {body}" if len(items) > 1
                        else f"Your {name} has one item: {body}")
        if more:
            text += f"; और {hindi_words(more)} और" if hi else f"; and {more} more"
        return Reply(text + ("।" if hi else "."), language, data)

    def _check(self, r: NoteRequest, language: str) -> Reply:
        """"is milk on my list": yes or no, item by item."""
        hi = language == "hi"
        lst, key, name_ = self._existing(r.target)
        items = self.store.items(lst.id) if lst is not None else []
        name = list_name(key, lst.name if lst else name_, language)
        have = [x for x in r.items if self.matching(items, x)]
        lack = [x for x in r.items if x not in have]
        parts = []
        if have:
            parts.append(f"हाँ, {name} में {_join(have, 'hi')} लिखा है।" if hi else
                         f"Yes, your {name} has {_join(have, 'en')}.")
        if lack:
            if hi:
                parts.append(f"{'' if have else 'नहीं, '}{name} में {_join(lack, 'hi')} नहीं "
                             "लिखा है।")
            else:
                parts.append(f"{'But' if have else 'No,'} your {name} doesn't have "
                             f"{_join(lack, 'en')}.")
        return Reply(" ".join(parts), language, {"action": "check", "list": key, "on": have,
                                      "missing": lack})

    def matching(self, items: list[Item], said: str) -> list[Item]:
        """Items that are what the user said ("milk" -> "milk"; "eggs" -> "a dozen eggs"
        when that is the only one with the word)."""
        want = item_keys(said)
        exact = [i for i in items if item_keys(i.text) == want]
        if exact:
            return exact[:1]
        loose = [i for i in items if want and set(want) <= set(item_keys(i.text))]
        return loose if len(loose) == 1 else []

    def remove_items(self, ref: ListRef | None,
                     said: list[str]) -> tuple[str, str, list[str], list[str]]:
        """(list key, list name, removed, not found)."""
        lst, key, name = self._existing(ref)
        items = self.store.items(lst.id) if lst is not None else []
        removed, missing, ids = [], [], []
        for text in said:
            found = [i for i in self.matching(items, text) if i.id not in ids]
            if found:
                ids.append(found[0].id)
                removed.append(found[0].text)
            else:
                missing.append(text)
        self.store.remove(ids)
        return key, (lst.name if lst else name), removed, missing

    def _remove(self, r: NoteRequest, language: str) -> Reply:
        hi = language == "hi"
        key, lname, removed, missing = self.remove_items(r.target, list(r.items))
        name = list_name(key, lname, language)
        data = {"action": "remove", "list": key, "removed": removed, "missing": missing}
        parts = []
        if removed:
            parts.append(f"{name} से {_join(removed, 'hi')} हटा दिया।" if hi
                         else f"Removed {_join(removed, 'en')} from your {name}.")
        if missing:
            parts.append(f"{_join(missing, 'hi')} {name} में नहीं है।" if hi
                         else f"{_join(missing, 'en').capitalize()} isn't on your {name}.")
        return Reply(" ".join(parts), language, data)

    def _remove_last(self, r: NoteRequest, language: str) -> Reply:
        hi = language == "hi"
        lst, key, name_ = self._existing(r.target)
        items = self.store.items(lst.id) if lst is not None else []
        name = list_name(key, lst.name if lst else name_, language)
        if not items:
            text = ("कोई नोट नहीं है।" if hi else "You have no notes.") if key == "notes" else \
                (f"{name} ख़ाली है।" if hi else f"Your {name} is empty.")
            return Reply(text, language, {"action": "remove_last", "list": key, "removed": []})
        last = items[-1]
        self.store.remove([last.id])
        if key == "notes":
            text = f"आख़िरी नोट हटा दिया: {last.text}।" if hi else \
                f"Deleted your last note: {last.text}."
        else:
            text = f"{name} से {last.text} हटा दिया।" if hi else \
                f"Removed {last.text} from your {name}."
        return Reply(text, language, {"action": "remove_last", "list": key,
                                      "removed": [last.text]})

    def _clear(self, r: NoteRequest, language: str) -> Reply:
        hi = language == "hi"
        lst, key, name_ = self._existing(r.target)
        items = self.store.items(lst.id) if lst is not None else []
        name = list_name(key, lst.name if lst else name_, language)
        if lst is None or not items:
            text = f"{name} पहले से ख़ाली है।" if hi else f"Your {name} is already empty."
            return Reply(text, language, {"action": "clear", "list": key, "cleared": 0})
        with self._lock:
            self._confirm = Confirm(lst.id, key, lst.name, language, self.now() + CONFIRM_S)
        n = len(items)
        if hi:
            text = f"{name} की {_things_hi(n)} हटा दूँ? हाँ कहें तो हटा दूँगी।" if n > 1 \
                else f"{name} की एक चीज़ ({items[0].text}) हटा दूँ? हाँ कहें तो हटा दूँगी।"
        else:
            text = (f"Clear all {n} items from your {name}? Say yes to confirm." if n > 1 else
                    f"Clear {items[0].text} from your {name}? Say yes to confirm.")
        return Reply(text, language, {"action": "clear", "list": key, "asked": "confirm",
                                      "count": n})

    def _lists(self, r: NoteRequest, language: str) -> Reply:
        hi = language == "hi"
        lists = self.store.lists()
        if not lists:
            text = "अभी कोई सूची नहीं है।" if hi else "You have no lists yet."
            return Reply(text, language, {"action": "lists", "lists": []})
        counts = [(lst, len(self.store.items(lst.id))) for lst in lists]
        if hi:
            parts = [f"{list_name(lst.key, lst.name, 'hi')} ({_things_hi(n)})" for lst, n in counts]
            text = f"आपकी {hindi_words(len(lists))} सूचियाँ हैं: {_join(parts, 'hi')}।" \
                if len(lists) > 1 else f"आपकी एक सूची है: {parts[0]}।"
        else:
            parts = [f"your {list_name(lst.key, lst.name, 'en')} ({n} item{'s' * (n != 1)})"
                     for lst, n in counts]
            text = f"You have {len(lists)} lists: {_join(parts, 'en')}." if len(lists) > 1 \
                else f"You have one list: {parts[0]}."
        return Reply(text, language, {"action": "lists", "lists": [
            {"list": lst.key, "name": lst.name, "items": n} for lst, n in counts]})

    # -- tools --

    def _ref(self, arguments: dict[str, Any]) -> ListRef | None | str:
        name = arguments.get("list") or ""
        if not isinstance(name, str):
            return "list must be a string"
        name = name.strip()
        if not name:
            return None
        name_words = [x for x in words(name) if word_key(x) not in LIST]
        return ListRef(list_key(name_words) if name_words else "", " ".join(name_words), 0, 0)

    def tool_add(self, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        ref = self._ref(arguments)
        item = arguments.get("item")
        if isinstance(ref, str):
            return {"error": ref}
        if not isinstance(item, str) or not item.strip():
            return {"error": "item is required"}
        lst, made, added, dup, error = self.add_items(ref, [item.strip()[:200]],
                                                      language if language == "hi" else "en")
        if error:
            return {"error": f"the {lst.key} list is full"}
        return {"ok": True, "list": lst.key, "added": added, "already": dup, "new": made}

    def tool_read(self, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        ref = self._ref(arguments)
        if isinstance(ref, str):
            return {"error": ref}
        lst, key, _ = self._existing(ref)
        return {"list": key, "items": [i.text for i in self.store.items(lst.id)] if lst else []}

    def tool_remove(self, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        ref = self._ref(arguments)
        item = arguments.get("item")
        if isinstance(ref, str):
            return {"error": ref}
        if not isinstance(item, str) or not item.strip():
            return {"error": "item is required"}
        key, _, removed, missing = self.remove_items(ref, [item.strip()])
        if not removed:
            return {"error": f"{item.strip()} is not on the {key} list"}
        return {"ok": True, "list": key, "removed": removed}


# -- grounding and wording of tool calls ----------------------------------------------------

def _mentions_a_list(utterance: str) -> bool:
    w = words(utterance)
    k = [word_key(x) for x in w]
    return find_list(w, k) is not None or any(x in NOTE | LIST for x in k) or any(
        x in vocab for x in k for vocab in NAMED.values())


def grounded_add(arguments: dict[str, Any], utterance: str) -> bool:
    """notes_add runs only if the user named a list or notes and said the item (every word
    of it, and of the list's name)."""
    from vaani.guard import arguments_said

    return _mentions_a_list(utterance) and bool(str(arguments.get("item") or "").strip()) \
        and arguments_said({k: v for k, v in arguments.items() if k in ("item", "list")},
                           utterance)


def grounded_read(arguments: dict[str, Any], utterance: str) -> bool:
    from vaani.guard import arguments_said

    return _mentions_a_list(utterance) and arguments_said(
        {k: v for k, v in arguments.items() if k == "list"}, utterance)


def grounded_remove(arguments: dict[str, Any], utterance: str) -> bool:
    from vaani.guard import arguments_said

    w = words(utterance)
    removing = any(x in ("remove", "delete", "erase", "cross", "take", "drop") for x in w) or \
        any(word_key(x) in {word_key(y) for y in "हटाओ हटा निकालो निकाल मिटाओ मिटा hatao hata "
                                                  "nikalo nikal mitao mita".split()} for x in w)
    return removing and grounded_add(arguments, utterance) and arguments_said(
        {k: v for k, v in arguments.items() if k in ("item", "list")}, utterance)


def say(result: dict[str, Any], language: str) -> str:
    """The skill's own sentence for a tool result."""
    hi = language == "hi"
    key = str(result.get("list") or "shopping")
    name = list_name(key, key, language)
    if result.get("added"):
        added = [str(x) for x in result["added"]]
        if hi:
            return f"{name} में {_join(added, 'hi')} जोड़ दिया।"
        return f"Added {_join(added, 'en')} to your {name}."
    if result.get("already"):
        dup = [str(x) for x in result["already"]]
        return f"{_join(dup, 'hi')} पहले से {name} में है।" if hi else \
            f"{_join(dup, 'en').capitalize()} is already on your {name}."
    if result.get("removed"):
        removed = [str(x) for x in result["removed"]]
        return f"{name} से {_join(removed, 'hi')} हटा दिया।" if hi else \
            f"Removed {_join(removed, 'en')} from your {name}."
    if "items" in result:
        items = [str(x) for x in result["items"]]
        if not items:
            return f"{name} ख़ाली है।" if hi else f"Your {name} is empty."
        return f"{name} में: {_join(items, 'hi')}।" if hi else \
            f"Your {name}: {_join(items, 'en')}."
    return "हो गया।" if hi else "Done."


# -- hooks ----------------------------------------------------------------------------------

_lock = threading.Lock()
_skill: NotesSkill | None = None


def db_path() -> Path:
    from vaani.config import data_dir

    return data_dir() / DB_NAME


def _get() -> NotesSkill:
    global _skill
    with _lock:
        if _skill is None:
            _skill = NotesSkill(NoteStore(db_path()))
        return _skill


@hookimpl
def vaani_configure(config: Any, table: dict[str, Any]) -> None:
    settings(table)


@hookimpl
def vaani_startup(ctx: PluginContext) -> None:
    global _skill
    skill = NotesSkill(NoteStore(db_path()), ctx.now, settings(ctx.table))
    with _lock:
        _skill = skill


@hookimpl
def vaani_handle(utterance: Utterance) -> Reply | None:
    return _get().handle(utterance)


@hookimpl
def vaani_preview(utterance: Utterance) -> Reply | None:
    return _get().preview(utterance)


@hookimpl
def vaani_tools() -> list[Tool]:
    return [
        Tool("notes_add", "add an item to a list (shopping, to-do, or a named list) or notes",
             {"item": "string", "list": "string"}, lambda a, lang: _get().tool_add(a, lang),
             acts=True, grounded=grounded_add, say=say),
        Tool("notes_read", "the items on a list or the notes", {"list": "string"},
             lambda a, lang: _get().tool_read(a, lang), grounded=grounded_read, say=say),
        Tool("notes_remove", "remove an item from a list", {"item": "string", "list": "string"},
             lambda a, lang: _get().tool_remove(a, lang), acts=True, grounded=grounded_remove,
             say=say),
    ]


@hookimpl
def vaani_abilities(language: str) -> list[str]:
    return ["नोट्स और सूचियाँ" if language == "hi" else "notes and lists"]


@hookimpl
def vaani_shutdown() -> None:
    global _skill
    with _lock:
        _skill = None
