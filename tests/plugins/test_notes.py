"""Notes and lists: many phrasings per language, SQLite in a tmp dir (kept across a new
instance), clearing only after a yes, Markdown export (function and ``python -m vaani_notes
export``), the tools' grounding and wording, and the negatives through the real plugin host."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from vaani import config as config_mod
from vaani.errors import ConfigError
from vaani.hookspecs import Utterance
from vaani.language import resolve_language
from vaani.plugins import PluginHost

from vaani_notes import NotesSkill, Settings, settings
from vaani_notes.export import markdown
from vaani_notes.store import NoteStore
from vaani_notes.understand import understand

T0 = 1_772_685_000.0          # 2026-03-05 10:00 IST


@pytest.fixture
def skill(tmp_path: Path) -> NotesSkill:
    return NotesSkill(NoteStore(tmp_path / "notes.sqlite3"), lambda: T0)


def ask(skill: NotesSkill, text: str, language: str | None = None):
    return skill.handle(Utterance(text, language or resolve_language(text, ("hi", "en"))))


def items(skill: NotesSkill, key: str = "shopping") -> list[str]:
    lst = skill.store.find(key)
    return [i.text for i in skill.store.items(lst.id)] if lst else []


# -- understanding: (utterance, action, list key ("" = the default list), items or text) ------

ADD = [
    ("add milk to my shopping list", "shopping", ("milk",)),
    ("Add milk to my shopping list.", "shopping", ("milk",)),
    ("add eggs and bread to the grocery list", "shopping", ("eggs", "bread")),
    ("put butter on my list", "", ("butter",)),
    ("please add tomatoes to my groceries list", "shopping", ("tomatoes",)),
    ("add 2 kg rice, onions and a dozen eggs to my shopping list", "shopping",
     ("2 kg rice", "onions", "a dozen eggs")),
    ("add call the bank to my to do list", "todo", ("call the bank",)),
    ("add buy stamps to my to-do list", "todo", ("buy stamps",)),
    ("add sunscreen to my packing list", "packing", ("sunscreen",)),
    ("can you add some coffee to the shopping list", "shopping", ("coffee",)),
    ("add to my shopping list apples", "shopping", ("apples",)),
    ("मेरी सूची में दूध जोड़ो", "", ("दूध",)),
    ("शॉपिंग लिस्ट में अंडे डाल दो", "shopping", ("अंडे",)),
    ("ख़रीदारी की सूची में दो किलो आलू जोड़ दो", "shopping", ("दो किलो आलू",)),
    ("दूध और ब्रेड को मेरी लिस्ट में जोड़ दो", "", ("दूध", "ब्रेड")),
    ("काम की सूची में बिजली का बिल भरना लिख दो", "todo", ("बिजली का बिल भरना",)),
    ("doodh ko list mein add karo", "", ("doodh",)),
    ("meri list mein chawal daal do", "", ("chawal",)),
    ("shopping list mein anda aur pyaaz jod do", "shopping", ("anda", "pyaaz")),
    ("meri shopping list mein sabzi add kar do", "shopping", ("sabzi",)),
    ("yaar meri list mein anda daal do", "", ("anda",)),
    ("I need to add bread to my shopping list", "shopping", ("bread",)),
    ("add B12 vitamins and Amul butter to my list", "", ("B12 vitamins", "Amul butter")),
]


@pytest.mark.parametrize("text, key, said", ADD)
def test_add_phrasings(text, key, said):
    r = understand(text, resolve_language(text, ("hi", "en")))
    assert r is not None and r.action == "add", text
    assert (r.target.key, r.items) == (key, said)


READ = [
    ("what's on my list", ""), ("what's on my shopping list", "shopping"),
    ("What is on the list?", ""), ("read my shopping list", "shopping"),
    ("read me my to-do list", "todo"), ("show me my grocery list", "shopping"),
    ("tell me my shopping list", "shopping"), ("what do I have on my list", ""),
    ("my shopping list", "shopping"), ("how many items are on my list", ""),
    ("what are my notes", "notes"), ("read my notes", "notes"),
    ("what's my last note", "notes"),
    ("meri list mein kya hai", ""), ("मेरी सूची में क्या है", ""),
    ("शॉपिंग लिस्ट में क्या क्या है", "shopping"), ("shopping list batao", "shopping"),
    ("मेरी लिस्ट पढ़ो", ""), ("mere notes padho", "notes"), ("मेरे नोट्स बताओ", "notes"),
    ("ख़रीदारी की सूची सुनाओ", "shopping"), ("आख़िरी नोट क्या है", "notes"),
    ("read out my list", ""), ("show my notes", "notes"), ("aakhri note kya hai", "notes"),
]


CHECK = [
    ("is milk on my list", "", ("milk",)),
    ("is there milk on my shopping list", "shopping", ("milk",)),
    ("do I have eggs on my shopping list", "shopping", ("eggs",)),
    ("did I add bread and butter to the list", "", ("bread", "butter")),
    ("क्या अंडे मेरी लिस्ट में हैं", "", ("अंडे",)),
    ("kya bread list mein hai", "", ("bread",)),
]


@pytest.mark.parametrize("text, key, said", CHECK)
def test_check_phrasings(text, key, said):
    r = understand(text, resolve_language(text, ("hi", "en")))
    assert r is not None and (r.action, r.target.key, r.items) == ("check", key, said), text


def test_is_it_on_my_list(skill):
    ask(skill, "add bread and eggs to my list")
    assert ask(skill, "is milk on my list").text == "No, your shopping list doesn't have milk."
    assert ask(skill, "did I add bread and butter to the list").text == \
        "Yes, your shopping list has bread. But your shopping list doesn't have butter."
    assert ask(skill, "is there anything on my list").data["action"] == "read"
    assert ask(skill, "kya eggs list mein hai").text == \
        "हाँ, ख़रीदारी की सूची में eggs लिखा है।"


@pytest.mark.parametrize("text, key", READ)
def test_read_phrasings(text, key):
    r = understand(text, resolve_language(text, ("hi", "en")))
    assert r is not None and r.action == "read", text
    assert r.target.key == key


REMOVE = [
    ("remove milk from my shopping list", "remove", "shopping", ("milk",)),
    ("delete eggs from the list", "remove", "", ("eggs",)),
    ("take rice off my shopping list", "remove", "shopping", ("rice",)),
    ("cross onions off my list", "remove", "", ("onions",)),
    ("लिस्ट से दूध हटा दो", "remove", "", ("दूध",)),
    ("दूध को मेरी सूची से हटाओ", "remove", "", ("दूध",)),
    ("list se chawal hata do", "remove", "", ("chawal",)),
    ("shopping list se anda nikal do", "remove", "shopping", ("anda",)),
    ("delete the last note", "remove_last", "notes", ()),
    ("remove the last item from my shopping list", "remove_last", "shopping", ()),
    ("आख़िरी नोट हटा दो", "remove_last", "notes", ()),
    ("pichla note delete karo", "remove_last", "notes", ()),
    ("clear my shopping list", "clear", "shopping", ()),
    ("empty the list", "clear", "", ()),
    ("delete my shopping list", "clear", "shopping", ()),
    ("delete all my notes", "clear", "notes", ()),
    ("remove all items from my to-do list", "clear", "todo", ()),
    ("शॉपिंग लिस्ट ख़ाली करो", "clear", "shopping", ()),
    ("सारी चीज़ें लिस्ट से हटा दो", "clear", "", ()),
    ("meri list saaf kar do", "clear", "", ()),
]


@pytest.mark.parametrize("text, action, key, said", REMOVE)
def test_remove_and_clear_phrasings(text, action, key, said):
    r = understand(text, resolve_language(text, ("hi", "en")))
    assert r is not None and (r.action, r.target.key, r.items) == (action, key, said), text


NOTES = [
    ("note that the car is parked on level 2", "the car is parked on level 2"),
    ("Take a note: call the plumber tomorrow.", "call the plumber tomorrow"),
    ("make a note that the gas cylinder was booked", "the gas cylinder was booked"),
    ("note down the wifi password is on the fridge", "the wifi password is on the fridge"),
    ("jot down buy a gift for Riya", "buy a gift for Riya"),
    ("remember that the spare key is under the mat", "the spare key is under the mat"),
    ("please note that I paid the rent, 5000 rupees", "I paid the rent, 5000 rupees"),
    ("Note: call the electrician on Monday.", "call the electrician on Monday"),
    ("make a note of the parking spot, B12", "the parking spot, B12"),
    ("note that Riya's birthday is on 5th June", "Riya's birthday is on 5th June"),
    ("नोट कर लो कि गाड़ी लेवल 2 पर खड़ी है", "गाड़ी लेवल 2 पर खड़ी है"),
    ("नोट करो कि दूधवाले को पैसे दे दिए", "दूधवाले को पैसे दे दिए"),
    ("गाड़ी की चाबी दराज़ में है नोट कर लो", "गाड़ी की चाबी दराज़ में है"),
    ("लिख लो कि कल बैंक जाना है", "कल बैंक जाना है"),
    ("याद रखना कि पासपोर्ट अलमारी में है", "पासपोर्ट अलमारी में है"),
    ("note kar lo ki car level 2 pe hai", "car level 2 pe hai"),
    ("yaad rakhna ki chabi mez par hai", "chabi mez par hai"),
]


@pytest.mark.parametrize("text, note", NOTES)
def test_note_phrasings(text, note):
    r = understand(text, resolve_language(text, ("hi", "en")))
    assert r is not None and (r.action, r.text) == ("note", note), text


@pytest.mark.parametrize("text", ["what lists do I have", "show my lists",
                                  "मेरी कौन कौन सी लिस्ट हैं", "meri kitni list hain"])
def test_lists_phrasings(text):
    r = understand(text, resolve_language(text, ("hi", "en")))
    assert r is not None and r.action == "lists", text


# -- answering ------------------------------------------------------------------------------

def test_a_shopping_list_in_three_languages(skill):
    assert ask(skill, "add milk to my shopping list").text == \
        "Added milk to your new shopping list."
    assert ask(skill, "मेरी सूची में दूध जोड़ो").text == "ख़रीदारी की सूची में दूध जोड़ दिया।"
    assert ask(skill, "add eggs and bread to the grocery list").text == \
        "Added eggs and bread to your shopping list."
    assert ask(skill, "doodh ko list mein add karo").text == \
        "ख़रीदारी की सूची में doodh जोड़ दिया।"
    assert ask(skill, "put Milk on my list").text == "Milk is already on your shopping list."
    assert ask(skill, "what's on my list").text == \
        "Your shopping list has 5 items: milk, दूध, eggs, bread and doodh."
    assert ask(skill, "meri list mein kya hai").text == \
        "ख़रीदारी की सूची में पाँच चीज़ें हैं: milk, दूध, eggs, bread और doodh।"
    assert ask(skill, "remove the eggs from my shopping list").text == \
        "Removed eggs from your shopping list."
    assert ask(skill, "लिस्ट से दूध हटा दो").text == "ख़रीदारी की सूची से दूध हटा दिया।"
    assert ask(skill, "take cheese off my list").text == \
        "Cheese isn't on your shopping list."
    assert items(skill) == ["milk", "bread", "doodh"]


def test_removal_finds_an_item_by_a_word_only_when_that_is_unambiguous(skill):
    ask(skill, "add a dozen eggs, brown bread and white bread to my list")
    assert ask(skill, "remove eggs from my list").data["removed"] == ["a dozen eggs"]
    assert ask(skill, "remove bread from my list").data["missing"] == ["bread"]
    assert items(skill) == ["brown bread", "white bread"]


def test_named_lists(skill):
    assert ask(skill, "add sunscreen to my packing list").text == \
        "Added sunscreen to your new packing list."
    assert ask(skill, "add call the bank to my to do list").text == \
        "Added call the bank to your new to-do list."
    assert ask(skill, "what's on my packing list").text == \
        "Your packing list has one item: sunscreen."
    assert ask(skill, "what's on the guest list").text == "You don't have a guest list."
    assert ask(skill, "what lists do I have").text == \
        "You have 2 lists: your packing list (1 item) and your to-do list (1 item)."
    assert ask(skill, "मेरी कौन कौन सी लिस्ट हैं").text == \
        "आपकी दो सूचियाँ हैं: packing की सूची (एक चीज़) और काम की सूची (एक चीज़)।"


def test_notes(skill):
    assert ask(skill, "what are my notes").text == "You have no notes."
    assert ask(skill, "note that the car is parked on level 2").text == \
        "Noted: the car is parked on level 2."
    assert ask(skill, "नोट कर लो कि चाबी दराज़ में है").text == "नोट कर लिया: चाबी दराज़ में है।"
    assert ask(skill, "what are my notes").text == \
        "You have 2 notes: the car is parked on level 2; चाबी दराज़ में है."
    assert ask(skill, "what's my last note").text == "Your last note: चाबी दराज़ में है."
    assert ask(skill, "आख़िरी नोट हटा दो").text == "आख़िरी नोट हटा दिया: चाबी दराज़ में है।"
    assert ask(skill, "delete the last note").text == \
        "Deleted your last note: the car is parked on level 2."
    assert ask(skill, "delete the last note").text == "You have no notes."


def test_clearing_asks_first(skill, tmp_path):
    ask(skill, "add milk, eggs and bread to my list")
    question = ask(skill, "clear my shopping list")
    assert question.text == "Clear all 3 items from your shopping list? Say yes to confirm."
    assert ask(skill, "no").text == "OK, I left it as it is."
    assert len(items(skill)) == 3
    ask(skill, "clear my shopping list")
    assert ask(skill, "what is the capital of France") is None      # not an answer
    assert ask(skill, "yes") is None and len(items(skill)) == 3      # the question is gone
    assert ask(skill, "सारी चीज़ें लिस्ट से हटा दो").data["asked"] == "confirm"
    assert ask(skill, "हाँ").text == "ख़रीदारी की सूची ख़ाली कर दी।"
    assert items(skill) == []
    assert ask(skill, "empty the list").text == "Your shopping list is already empty."


def test_a_late_yes_clears_nothing(tmp_path):
    now = [T0]
    skill = NotesSkill(NoteStore(tmp_path / "n.sqlite3"), lambda: now[0])
    ask(skill, "add milk to my list")
    ask(skill, "clear my list")
    now[0] += 120
    assert ask(skill, "yes") is None and items(skill) == ["milk"]


def test_lists_survive_a_new_instance_and_the_file_is_made_on_the_first_write(tmp_path):
    path = tmp_path / "sub" / "notes.sqlite3"
    first = NotesSkill(NoteStore(path), lambda: T0)
    assert ask(first, "what's on my list").text == "Your shopping list is empty."
    assert not path.exists()
    ask(first, "add milk to my list")
    ask(first, "note that the car is parked on level 2")
    assert path.exists()
    again = NotesSkill(NoteStore(path), lambda: T0)
    assert ask(again, "what's on my list").text == "Your shopping list has one item: milk."
    assert ask(again, "what are my notes").data["items"] == ["the car is parked on level 2"]


def test_default_list_is_configurable(tmp_path):
    skill = NotesSkill(NoteStore(tmp_path / "n.sqlite3"), lambda: T0,
                       settings({"default_list": "to-do"}))
    ask(skill, "add call the bank to my list")
    assert items(skill, "todo") == ["call the bank"]


def test_settings():
    assert settings({}) == Settings()
    assert settings({"default_list": "grocery"}).default_list == "shopping"
    for bad in ({"default": "x"}, {"default_list": ""}, {"max_items": 0}, {"max_items": "9"}):
        with pytest.raises(ConfigError):
            settings(bad)


def test_a_full_list(tmp_path):
    skill = NotesSkill(NoteStore(tmp_path / "n.sqlite3"), lambda: T0, Settings(max_items=2))
    ask(skill, "add milk and eggs to my list")
    assert ask(skill, "add bread to my list").data["error"] == "full"
    assert items(skill) == ["milk", "eggs"]


def test_reading_is_previewed_and_writing_is_not(skill):
    ask(skill, "add milk to my list")
    text = "what's on my list"
    assert skill.preview(Utterance(text, "en")).text == ask(skill, text).text
    assert skill.preview(Utterance("add eggs to my list", "en")) is None
    assert items(skill) == ["milk"]


# -- export ---------------------------------------------------------------------------------

def test_markdown_export(skill):
    ask(skill, "add milk, eggs and bread to my shopping list")
    ask(skill, "add call the bank to my to do list")
    ask(skill, "note that the car is parked on level 2")
    md = markdown(skill.store)
    assert md.startswith("# Shopping list\n\n- [ ] milk\n- [ ] eggs\n- [ ] bread\n\n"
                         "# To-do list\n\n- [ ] call the bank\n\n# Notes\n\n"
                         "- the car is parked on level 2 (")
    assert markdown(skill.store, "todo") == "# To-do list\n\n- [ ] call the bank\n"


def test_export_command(tmp_path, skill):
    ask(skill, "add milk to my list")
    out = tmp_path / "lists.md"
    run = subprocess.run([sys.executable, "-m", "vaani_notes", "export", "--db",
                          str(skill.store.path), "--out", str(out)], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert out.read_text(encoding="utf-8") == "# Shopping list\n\n- [ ] milk\n"
    run = subprocess.run([sys.executable, "-m", "vaani_notes", "export", "--db",
                          str(tmp_path / "none.sqlite3")], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 1 and "no notes yet" in run.stderr


# -- through the real plugin host -----------------------------------------------------------

SKILLS = ("clock", "timer", "calculator", "alarms", "notes")


@pytest.fixture
def host(data_dir):
    others = sorted(ep.name for ep in metadata.entry_points(group="vaani")
                    if ep.name not in SKILLS)
    h = PluginHost(config_mod.from_dict({"plugins": {"disabled": others}}))
    h.load()
    assert set(SKILLS) <= set(h.plugin_names())
    h.configure()
    h.startup(lambda text, language, plugin: None, now=lambda: T0)
    yield h
    h.shutdown()


def host_ask(host, text):
    return host.handle(Utterance(text, resolve_language(text, ("hi", "en"))), timeout_ms=2000)


@pytest.mark.parametrize("text, plugin", [
    ("add milk to my shopping list", "notes"), ("मेरी सूची में दूध जोड़ो", "notes"),
    ("note that the car is parked on level 2", "notes"), ("meri list mein kya hai", "notes"),
    ("delete the last note", "notes"), ("add 5 and 7", "calculator"),
    ("पाँच में तीन जोड़ो", "calculator"), ("set a timer for 5 minutes", "timer"),
    ("what time is it", "clock"), ("remind me to buy milk at 5", "alarms"),
    ("note kar lo ki car level 2 pe hai", "notes"),
])
def test_each_skill_keeps_its_own_requests(host, text, plugin):
    answer = host_ask(host, text)
    assert answer is not None and answer.plugin == plugin, (text, answer)


NEGATIVE = [
    "add 5 and 7", "list the planets", "what is a list", "a list of countries in Asia",
    "how do I make a shopping list", "remind me to buy milk", "Schindler's list",
    "what's the note C", "list all the prime numbers below 20", "पाँच में तीन जोड़ो",
    "भारत के राज्यों की सूची बताओ", "note", "notes", "take notes in class",
    "why should I note that", "500 का नोट असली है क्या", "what is a to-do list",
    "what time is it", "delete the last message", "remove the stain from my shirt",
    "add salt to taste", "what's on TV", "put the kettle on", "clear the table",
    "make a list of ideas for a birthday party", "put it on my list", "note that down",
    "add this to my notes", "इसे लिस्ट में डाल दो", "my list of favourite movies",
    "read the list of ingredients",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_not_for_the_notes_skill(host, text):
    answer = host_ask(host, text)
    assert answer is None or answer.plugin != "notes", (text, answer.reply.text)


def test_the_data_dir_file_is_used(host, data_dir):
    assert not (data_dir / "notes.sqlite3").exists()
    host_ask(host, "add milk to my list")
    assert (data_dir / "notes.sqlite3").exists()


def test_tools(host):
    tools = host.tools()
    assert {"notes_add", "notes_read", "notes_remove"} <= set(tools)
    assert tools["notes_add"][1].acts and tools["notes_remove"][1].acts
    refused = {"error": "the user did not ask for this"}
    assert host.call_tool("notes_add", {"item": "milk", "list": "shopping"}, "en",
                          utterance="yo, shopping list, milk, put it there") == {
        "ok": True, "list": "shopping", "added": ["milk"], "already": [], "new": True}
    # the item (or the list) was not said, or no list was mentioned at all
    assert host.call_tool("notes_add", {"item": "eggs"}, "en",
                          utterance="shopping list, milk please") == refused
    assert host.call_tool("notes_add", {"item": "milk", "list": "packing"}, "en",
                          utterance="shopping list, milk please") == refused
    assert host.call_tool("notes_add", {"item": "milk"}, "en",
                          utterance="I like milk in my tea") == refused
    assert host.call_tool("notes_read", {"list": "shopping"}, "en",
                          utterance="what's on the shopping list, vaani?") == {
        "list": "shopping", "items": ["milk"]}
    assert host.call_tool("notes_read", {}, "en", utterance="what is the capital of India") \
        == refused
    assert host.call_tool("notes_remove", {"item": "milk"}, "en",
                          utterance="milk is on my list right") == refused
    assert host.call_tool("notes_remove", {"item": "milk"}, "en",
                          utterance="ok remove milk, it's on my list") == {
        "ok": True, "list": "shopping", "removed": ["milk"]}


def test_tools_say_their_result(host):
    say = host.tools()["notes_add"][1].say
    assert say({"ok": True, "list": "shopping", "added": ["milk"]}, "en") == \
        "Added milk to your shopping list."
    assert say({"ok": True, "list": "shopping", "added": ["दूध"]}, "hi") == \
        "ख़रीदारी की सूची में दूध जोड़ दिया।"
    assert say({"list": "todo", "items": ["call the bank", "buy stamps"]}, "en") == \
        "Your to-do list: call the bank and buy stamps."
    assert say({"ok": True, "list": "shopping", "removed": ["milk"]}, "hi") == \
        "ख़रीदारी की सूची से milk हटा दिया।"
    assert "notes and lists" in host.abilities("en")
    assert "नोट्स और सूचियाँ" in host.abilities("hi")
