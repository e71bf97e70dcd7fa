"""System and media skill: volume, media, apps and screen lock understood in English, Hindi
and Hinglish through the real plugin host beside the other skills; the negative set; the
lock's yes/no question; the tools; and what happens at the process boundary.

Most tests put a fake runner at the process boundary (it records each argv and answers
exit codes and output). The rest are real: desktop entries written to a temporary folder
and read back; real subprocesses (scripts named wpctl, playerctl, ... on a temporary PATH
that record their arguments, fail, or hang) run through the real runner, so argv lists,
exit codes, timeouts and "never through a shell" are checked for real; `shutil.which`
detection; and the machine's own desktop entries parsed. This machine has no sound card,
no PipeWire or PulseAudio server, no D-Bus session and no display, so a real volume change,
a real media player, a real screen lock and a real app window cannot be tested here (and
tests must not change a developer's volume or lock their screen either).
"""

from __future__ import annotations

import os
import shutil
import stat
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from tests.plugins.skillhost import ask, host_of
from vaani.errors import ConfigError
from vaani.guard import Allowed, out_of_scope, unfaithful
from vaani.hookspecs import Utterance
from vaani.language import resolve_language
from vaani.plugins import PluginHost

import vaani_system
from vaani_system import CONFIRM_S, Settings, SystemSkill, say, settings
from vaani_system.apps import (AppIndex, app_from, default_dirs, exec_argv, read_entry, scan,
                               skeleton, split_exec, split_list)
from vaani_system.runner import Ran, SubprocessRunner
from vaani_system.understand import is_no, is_yes


# -- a fake runner at the process boundary ----------------------------------------------------

class FakeRunner:
    """Records every argv; answers per program: ``answers["wpctl"] = Ran(..., code=1)``."""

    def __init__(self, installed: Sequence[str] = ("wpctl", "pactl", "amixer", "playerctl",
                                                   "gtk-launch", "loginctl", "xdg-screensaver",
                                                   "x-terminal-emulator"),
                 graphical: bool = True) -> None:
        self.installed = set(installed)
        self.answers: dict[str, Ran] = {}
        self.missing: set[str] = set()                # apps whose program is not there
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self.display = graphical

    def which(self, program: str) -> str | None:
        return f"/usr/bin/{program}" if program in self.installed else None

    def _answer(self, how: str, argv: Sequence[str]) -> Ran:
        argv = tuple(argv)
        self.calls.append((how, argv))
        if argv[0] in self.missing or (how == "run" and argv[0] not in self.installed):
            return Ran(argv, failure="missing")
        a = self.answers.get(argv[0])
        if a is None:
            return Ran(argv, 0) if how == "run" else Ran(argv, running=True)
        return Ran(argv, a.code, a.out, a.err, a.failure, a.running)

    def run(self, argv: Sequence[str], timeout: float) -> Ran:
        assert 0 < timeout <= 5
        return self._answer("run", argv)

    def start(self, argv: Sequence[str], wait: float) -> Ran:
        assert 0 < wait <= 1
        return self._answer("start", argv)

    def graphical(self) -> bool:
        return self.display

    @property
    def argvs(self) -> list[tuple[str, ...]]:
        return [argv for _, argv in self.calls]


DESKTOP = {
    "firefox.desktop": """[Desktop Entry]
Version=1.0
Name=Firefox
GenericName=Web Browser
Comment=Browse the World Wide Web
Keywords=Internet;WWW;Browser;Web;Explorer;
Exec=firefox %u
Icon=firefox
Terminal=false
Type=Application
Categories=Network;WebBrowser;

[Desktop Action new-window]
Name=Open a New Window
Exec=firefox --new-window %u
""",
    "chromium.desktop": """[Desktop Entry]
Type=Application
Name=Chromium
GenericName=Web Browser
Keywords=browser;internet;
Exec=chromium %U
""",
    "org.gnome.Calculator.desktop": """[Desktop Entry]
Name=Calculator
Name[hi]=कैलकुलेटर
Name[de]=Rechner
Comment=Perform arithmetic, scientific or financial calculations
Keywords=calculation;arithmetic;scientific;financial;
Exec=gnome-calculator
Type=Application
""",
    "org.gnome.Terminal.desktop": """[Desktop Entry]
Name=Terminal
Keywords=shell;prompt;command;commandline;cmd;
Exec=gnome-terminal --window
Type=Application
""",
    "thunderbird.desktop": """[Desktop Entry]
Name=Thunderbird Mail
GenericName=Mail Client
Keywords=Email;E-mail;Newsgroup;Feed;RSS
Exec=thunderbird %u
Type=Application
""",
    "org.gnome.clocks.desktop": """[Desktop Entry]
Name=Clocks
Keywords=time;timer;alarm;world clock;stopwatch;time zone;
Exec=gnome-clocks
Type=Application
""",
    "org.kde.kate.desktop": """[Desktop Entry]
Name=Kate
GenericName=Advanced Text Editor
Exec=kate -b %U
Type=Application
""",
    "gnucash.desktop": """[Desktop Entry]
Name=GnuCash
GenericName=Finance Management
Keywords=Finance;Accounting;Banking;Bank;Budget;
Exec=gnucash %f
Type=Application
""",
    "org.gnome.Settings.desktop": """[Desktop Entry]
Name=Settings
Exec=gnome-control-center
Type=Application
""",
    "htop.desktop": """[Desktop Entry]
Name=Htop
Exec=htop
Terminal=true
Type=Application
""",
    "secret.desktop": "[Desktop Entry]\nName=Secret\nExec=secret\nHidden=true\nType=Application\n",
    "handler.desktop": "[Desktop Entry]\nName=Handler\nExec=handler %u\nNoDisplay=true\n"
                       "Type=Application\n",
    "ghost.desktop": "[Desktop Entry]\nName=Ghost\nExec=ghost\nTryExec=ghost-not-installed\n"
                     "Type=Application\n",
    "link.desktop": "[Desktop Entry]\nName=Website\nType=Link\nURL=https://example.org\n",
}


def write_apps(folder: Path, entries: dict[str, str] = DESKTOP) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in entries.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> FakeRunner:
    fake = FakeRunner()
    monkeypatch.setattr(vaani_system, "RUNNER", fake)
    return fake


@pytest.fixture
def apps_dir(tmp_path: Path) -> Path:
    return write_apps(tmp_path / "applications")


SKILLS = ("calculator", "clock", "smalltalk", "timer", "units", "alarms", "notes", "system")


@pytest.fixture
def host(runner: FakeRunner, apps_dir: Path, data_dir: Path) -> Iterator[PluginHost]:
    h = host_of(SKILLS, {"system": {"app_dirs": [str(apps_dir)]}})
    yield h
    h.shutdown()


def skill_of(runner: FakeRunner, apps_dir: Path | None = None, **options) -> SystemSkill:
    table = dict(options)
    if apps_dir is not None:
        table["app_dirs"] = [str(apps_dir)]
    return SystemSkill(runner, settings(table))


def utt(text: str) -> Utterance:
    return Utterance(text, resolve_language(text, ("hi", "en"), None))


# -- the positive sets: (utterance, action, percent or app name) ---------------------------

VOLUME_EN = [
    ("volume up", "up", None), ("Turn the volume up.", "up", None),
    ("turn up the volume", "up", None), ("increase the volume", "up", None),
    ("raise the volume please", "up", None), ("make it louder", "up", None),
    ("louder please", "up", None), ("volume down", "down", None),
    ("turn the volume down", "down", None), ("lower the volume", "down", None),
    ("decrease the volume", "down", None), ("reduce the volume a bit", "down", None),
    ("make it quieter", "down", None), ("set the volume to 50 percent", "set", 50),
    ("set volume to 30%", "set", 30), ("volume 70", "set", 70),
    ("set the volume to thirty", "set", 30), ("turn the volume up by 20", "up", 20),
    ("increase the volume to 80", "set", 80), ("turn the volume down by 5 percent", "down", 5),
    ("max volume", "set", 100), ("mute", "mute", None), ("mute the sound", "mute", None),
    ("turn off the sound", "mute", None), ("unmute", "unmute", None),
    ("un-mute the audio", "unmute", None), ("turn the sound back on", "unmute", None),
    ("Hey Vaani, could you turn the volume down a little?", "down", None),
]
VOLUME_HI = [
    ("आवाज़ कम करो", "down", None), ("आवाज़ बढ़ाओ", "up", None),
    ("आवाज़ थोड़ी बढ़ा दो", "up", None), ("वॉल्यूम कम कर दो", "down", None),
    ("आवाज़ पचास प्रतिशत कर दो", "set", 50), ("आवाज़ बंद करो", "mute", None),
    ("म्यूट करो", "mute", None), ("आवाज़ चालू करो", "unmute", None),
    ("आवाज़ धीमी करो", "down", None), ("आवाज़ तेज़ करो", "up", None),
    ("वॉल्यूम 30 प्रतिशत पर रखो", "set", 30), ("ज़रा आवाज़ कम कर दीजिए", "down", None),
]
VOLUME_ROMAN = [
    ("volume badhao", "up", None), ("volume kam karo", "down", None),
    ("volume kam kar do", "down", None), ("volume 50 percent kar do", "set", 50),
    ("mute karo", "mute", None), ("unmute karo", "unmute", None),
    ("awaaz thodi kam karo", "down", None), ("awaaz badha do", "up", None),
    ("volume full kar do", "set", 100), ("volume 10 percent badhao", "up", 10),
    ("volume badha ke 80 kar do", "set", 80), ("zara awaaz tez karo", "up", None),
    ("volume aadha kar do", "set", 50), ("volume ko 40 pe rakho", "set", 40),
]
MEDIA_EN = [
    ("play music", "play"), ("play", "play"), ("resume", "play"),
    ("resume the music", "play"), ("play some music", "play"), ("pause", "pause"),
    ("pause the music", "pause"), ("stop the music", "pause"), ("pause the video", "pause"),
    ("next song", "next"), ("next track", "next"), ("skip this song", "next"),
    ("skip", "next"), ("play the next song", "next"), ("previous song", "previous"),
    ("go back to the previous track", "previous"), ("change the song", "next"),
]
MEDIA_HI = [
    ("गाना रोको", "pause"), ("गाना बंद करो", "pause"), ("गाना चलाओ", "play"),
    ("संगीत चलाओ", "play"), ("अगला गाना", "next"), ("अगला गाना चलाओ", "next"),
    ("पिछला गाना", "previous"), ("गाना बदलो", "next"), ("म्यूज़िक बजाओ", "play"),
]
MEDIA_ROMAN = [
    ("gaana roko", "pause"), ("gaana band karo", "pause"), ("gaana chalao", "play"),
    ("music bajao", "play"), ("agla gaana", "next"), ("agla gaana lagao", "next"),
    ("pichla gaana chalao", "previous"), ("music chalu karo", "play"),
    ("song pause karo", "pause"), ("next song lagao", "next"),
]
OPEN_EN = [
    ("open firefox", "Firefox"), ("Open Firefox.", "Firefox"), ("launch firefox", "Firefox"),
    ("please open the calculator", "Calculator"), ("open calculator app", "Calculator"),
    ("open the terminal", "Terminal"), ("open thunderbird", "Thunderbird Mail"),
    ("start firefox", "Firefox"), ("open settings", "Settings"),
    ("open my email", "Thunderbird Mail"), ("open gnome calculator", "Calculator"),
    ("open clocks", "Clocks"), ("open up the terminal for me", "Terminal"),
]
OPEN_HI = [
    ("फ़ायरफ़ॉक्स खोलो", "Firefox"), ("कैलकुलेटर खोलो", "Calculator"),
    ("टर्मिनल खोल दो", "Terminal"), ("थंडरबर्ड खोलिए", "Thunderbird Mail"),
    ("सेटिंग्स खोलो", "Settings"), ("ज़रा फायरफॉक्स खोल दीजिए", "Firefox"),
]
OPEN_ROMAN = [
    ("calculator kholo", "Calculator"), ("firefox kholo", "Firefox"),
    ("terminal khol do", "Terminal"), ("firefox open karo", "Firefox"),
    ("zara calculator khol dijiye", "Calculator"), ("settings kholo", "Settings"),
    ("firefox chalao", "Firefox"),
]
LOCK_EN = ["lock the screen", "lock my screen", "lock the computer", "lock screen",
           "please lock my laptop", "Lock the screen, Vaani."]
LOCK_HI = ["स्क्रीन लॉक करो", "स्क्रीन लॉक कर दो", "कंप्यूटर लॉक करो", "ज़रा लैपटॉप लॉक कर दीजिए"]
LOCK_ROMAN = ["screen lock karo", "screen lock kar do", "laptop lock kar do"]

VOLUME = VOLUME_EN + VOLUME_HI + VOLUME_ROMAN
ENGLISH = {t for t, *_ in VOLUME_EN + MEDIA_EN + OPEN_EN} | set(LOCK_EN)


def language_of(text: str) -> str:
    """The reply's language: English for the English sets; Hindi for Devanagari and for
    Hinglish, even when the pipeline resolves "volume badhao" as English."""
    return "en" if text in ENGLISH else "hi"


MEDIA = MEDIA_EN + MEDIA_HI + MEDIA_ROMAN
OPEN = OPEN_EN + OPEN_HI + OPEN_ROMAN
LOCK = LOCK_EN + LOCK_HI + LOCK_ROMAN
POSITIVE = [t for t, *_ in VOLUME + MEDIA + OPEN] + LOCK


def test_the_positive_sets_are_big_enough():
    assert len(VOLUME) >= 50 and len(MEDIA) >= 35 and len(OPEN) >= 25 and len(LOCK) >= 12


@pytest.mark.parametrize("text, action, percent", VOLUME)
def test_volume(host, runner, text, action, percent):
    answer = ask(host, text)
    assert answer is not None and answer.plugin == "system", text
    data = answer.reply.data
    assert data["action"] == "volume" and data["change"] == action and data["ok"], (text, data)
    if action == "set":
        assert data["percent"] == percent
    elif action in ("up", "down"):
        assert data["percent"] == (percent or 10) and data["said"] == (percent is not None)
    (how, argv), = runner.calls                      # wpctl: the first backend installed
    assert how == "run" and argv[0] == "wpctl"
    assert answer.reply.language == language_of(text)


@pytest.mark.parametrize("text, action", MEDIA)
def test_media(host, runner, text, action):
    answer = ask(host, text)
    assert answer is not None and answer.plugin == "system", text
    assert answer.reply.data["change"] == action and answer.reply.data["ok"]
    assert runner.argvs == [("playerctl", action)]
    assert answer.reply.language == language_of(text)


@pytest.mark.parametrize("text, name", OPEN)
def test_open(host, runner, text, name):
    answer = ask(host, text)
    assert answer is not None and answer.plugin == "system", text
    assert answer.reply.data["name"] == name and answer.reply.data["ok"], answer.reply.data
    assert answer.reply.language == language_of(text)
    (how, argv), = runner.calls
    # entries from a configured folder: gtk-launch would not find them, so their Exec line
    assert how == "start" and argv[0] != "gtk-launch"


@pytest.mark.parametrize("text", LOCK)
def test_lock_asks_first(host, runner, text):
    answer = ask(host, text)
    assert answer is not None and answer.plugin == "system", text
    assert answer.reply.data["asked"] == "confirm" and not answer.reply.data["ok"]
    assert runner.calls == []                        # nothing locked before a yes
    hi = language_of(text) == "hi"
    assert answer.reply.language == language_of(text)
    assert answer.reply.text == ("स्क्रीन अभी लॉक कर दूँ? हाँ या ना कहिए।" if hi
                                 else "Lock the screen now? Say yes or no.")


# -- replies -----------------------------------------------------------------------------------

def test_reply_texts(host, runner):
    def reply(text):
        return ask(host, text).reply.text

    assert reply("volume up") == "Turned the volume up."
    assert reply("turn the volume up by 20") == "Turned the volume up by 20%."
    assert reply("set the volume to 50 percent") == "Set the volume to 50%."
    assert reply("mute") == "Muted the sound."
    assert reply("unmute") == "Unmuted the sound."
    assert reply("volume badhao") == "आवाज़ बढ़ा दी।"
    assert reply("आवाज़ कम करो") == "आवाज़ कम कर दी।"
    assert reply("volume 50 percent kar do") == "आवाज़ पचास प्रतिशत कर दी।"
    assert reply("volume 10 percent badhao") == "आवाज़ दस प्रतिशत बढ़ा दी।"
    assert reply("mute karo") == "आवाज़ म्यूट कर दी।"
    assert reply("play music") == "Playing."
    assert reply("pause") == "Paused."
    assert reply("next song") == "Skipped to the next track."
    assert reply("previous song") == "Back to the previous track."
    assert reply("गाना रोको") == "गाना रोक दिया।"
    assert reply("agla gaana") == "अगला गाना लगा दिया।"
    assert reply("open firefox") == "Opening Firefox."
    assert reply("फ़ायरफ़ॉक्स खोलो") == "Firefox खोल रही हूँ।"
    assert reply("कैलकुलेटर खोलो") == "कैलकुलेटर खोल रही हूँ।"      # Name[hi]


def test_the_commands_run(host, runner):
    ask(host, "volume up")
    ask(host, "volume 50 percent kar do")
    ask(host, "volume kam karo")
    ask(host, "mute karo")
    ask(host, "unmute")
    sink = "@DEFAULT_AUDIO_SINK@"
    assert runner.argvs == [
        ("wpctl", "set-volume", "-l", "1.0", sink, "10%+"),
        ("wpctl", "set-volume", "-l", "1.0", sink, "50%"),
        ("wpctl", "set-volume", "-l", "1.0", sink, "10%-"),
        ("wpctl", "set-mute", sink, "1"), ("wpctl", "set-mute", sink, "0")]


@pytest.mark.parametrize("installed, expected", [
    (("pactl", "amixer"), [("pactl", "set-sink-volume", "@DEFAULT_SINK@", "+10%"),
                           ("pactl", "set-sink-volume", "@DEFAULT_SINK@", "30%"),
                           ("pactl", "set-sink-mute", "@DEFAULT_SINK@", "1")]),
    (("amixer",), [("amixer", "-q", "sset", "Master", "10%+"),
                   ("amixer", "-q", "sset", "Master", "30%"),
                   ("amixer", "-q", "sset", "Master", "mute")]),
])
def test_the_first_audio_backend_installed_is_used(installed, expected):
    runner = FakeRunner(installed)
    skill = skill_of(runner)
    for text in ("volume up", "set volume to 30 percent", "mute"):
        assert skill.handle(utt(text)).data["ok"]
    assert runner.argvs == expected


def test_the_audio_backend_can_be_chosen():
    runner = FakeRunner()
    skill = skill_of(runner, audio="amixer", volume_step=5)
    assert skill.handle(utt("volume down")).data["ok"]
    assert runner.argvs == [("amixer", "-q", "sset", "Master", "5%-")]
    missing = skill_of(FakeRunner(("wpctl",)), audio="pactl").handle(utt("volume down"))
    assert missing.text == "I couldn't change the volume: pactl is not installed."


# -- never "done" unless the command exited 0 -----------------------------------------------

def test_no_audio_system_is_said():
    skill = skill_of(FakeRunner(("playerctl",)))
    reply = skill.handle(utt("volume up"))
    assert reply.text == "I couldn't change the volume: no audio system found."
    assert reply.data["ok"] is False and reply.data["error"] == "no_backend"
    assert skill.handle(utt("आवाज़ कम करो")).text == \
        "आवाज़ नहीं बदल सकी: कोई ऑडियो सिस्टम नहीं मिला।"
    assert skill.handle(utt("mute")).text == "I couldn't mute the sound: no audio system found."


def test_a_failing_or_hanging_backend_is_said():
    runner = FakeRunner()
    runner.answers["wpctl"] = Ran((), 1, "", "Could not connect to PipeWire\n")
    skill = skill_of(runner)
    reply = skill.handle(utt("volume up"))
    assert reply.text == "I couldn't change the volume: wpctl reported an error."
    assert "Could not connect to PipeWire" in reply.data["detail"]
    runner.answers["wpctl"] = Ran((), failure="timeout")
    assert skill.handle(utt("unmute")).text == \
        "I couldn't unmute the sound: wpctl did not answer in time."
    assert skill.handle(utt("volume badhao")).text == \
        "आवाज़ नहीं बदल सकी: ऑडियो सिस्टम ने समय पर जवाब नहीं दिया।"


def test_volume_out_of_range_runs_nothing():
    runner = FakeRunner()
    skill = skill_of(runner)
    assert skill.handle(utt("volume 150")).text == "The volume goes from 0 to 100 percent."
    assert skill.handle(utt("volume 150 percent kar do")).text == \
        "आवाज़ शून्य से सौ प्रतिशत तक ही हो सकती है।"
    assert runner.calls == []


def test_no_player_running_is_said_honestly():
    runner = FakeRunner()
    runner.answers["playerctl"] = Ran((), 1, "", "No players found\n")
    skill = skill_of(runner)
    assert skill.handle(utt("pause the music")).text == "No media player is running."
    assert skill.handle(utt("गाना रोको")).text == "कोई मीडिया प्लेयर नहीं चल रहा है।"
    runner.answers["playerctl"] = Ran((), 1, "", "Could not execute command\n")
    assert skill.handle(utt("next song")).text == "The media player reported an error."
    none = skill_of(FakeRunner(("wpctl",)))
    assert none.handle(utt("play music")).text == \
        "I can't control the media player: playerctl is not installed."


def test_opening_an_app_that_fails_is_said(apps_dir):
    runner = FakeRunner()
    runner.answers["firefox"] = Ran((), 1)
    skill = skill_of(runner, apps_dir)
    reply = skill.handle(utt("open firefox"))
    assert reply.text == "I couldn't open Firefox: it exited with an error."
    assert runner.calls == [("start", ("firefox",))]
    runner.missing.add("firefox")
    assert skill.handle(utt("फ़ायरफ़ॉक्स खोलो")).text == \
        "Firefox नहीं खुल सका: उसका प्रोग्राम इंस्टॉल नहीं है।"
    headless = skill_of(FakeRunner(graphical=False), apps_dir)
    assert headless.handle(utt("open firefox")).text == \
        "I can't open apps: no graphical session found."


def test_apps_in_the_standard_folders_open_with_gtk_launch(tmp_path, monkeypatch):
    home = tmp_path / "home-data"
    write_apps(home / "applications")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "none"))
    runner = FakeRunner()
    skill = skill_of(runner)                         # no app_dirs: the XDG folders
    assert skill.handle(utt("open the calculator")).data["ok"]
    assert runner.calls == [("start", ("gtk-launch", "org.gnome.Calculator"))]
    runner.installed.discard("gtk-launch")
    assert skill.handle(utt("open the calculator")).data["ok"]
    assert runner.calls[-1] == ("start", ("gnome-calculator",))


def test_a_terminal_app_opens_in_a_terminal(apps_dir):
    runner = FakeRunner()
    skill = skill_of(runner, apps_dir)
    assert skill.handle(utt("open htop")).data["ok"]
    assert runner.calls == [("start", ("x-terminal-emulator", "-e", "htop"))]
    runner.installed.discard("x-terminal-emulator")
    assert skill.handle(utt("open htop")).text == \
        "I couldn't open Htop: it needs a terminal and none was found."


def test_an_ambiguous_or_missing_app(host, runner):
    answer = ask(host, "open the web browser")
    assert answer.plugin == "system" and answer.reply.data["error"] == "ambiguous"
    assert answer.reply.text == \
        "More than one app is called web browser: Chromium and Firefox. Say the full name."
    missing = ask(host, "open the spotify app")
    assert missing.plugin == "system"
    assert missing.reply.text == "I couldn't find an app called spotify."
    assert ask(host, "spotify app kholo").reply.text == "spotify नाम का कोई ऐप नहीं मिला।"
    assert runner.calls == []


# -- the screen lock: a question, then a yes ------------------------------------------------

def test_lock_after_yes(host, runner):
    assert ask(host, "lock the screen").reply.data["asked"] == "confirm"
    answer = ask(host, "yes")
    assert answer.plugin == "system" and answer.reply.text == "Locking the screen."
    assert runner.argvs == [("loginctl", "lock-session")]
    # the question is asked once: a later "yes" is not the lock's
    later = ask(host, "yes")
    assert later is None or later.plugin != "system"


@pytest.mark.parametrize("answer", ["yes", "haan", "हाँ", "ok", "go ahead", "haan kar do",
                                    "हाँ, लॉक कर दो", "yes please", "lock it", "जी",
                                    "lock the screen", "karo na"])
def test_yes_phrasings(answer):
    assert is_yes(answer) and not is_no(answer), answer


@pytest.mark.parametrize("answer", ["no", "nahi", "नहीं", "मत करो", "रहने दो", "never mind",
                                    "don't", "no, don't lock it", "ना", "cancel"])
def test_no_phrasings(answer):
    assert is_no(answer) and not is_yes(answer), answer


def test_a_bare_yes_is_answered_in_the_questions_language(host, runner):
    assert ask(host, "स्क्रीन लॉक कर दो").reply.language == "hi"
    answer = ask(host, "ok", "en")
    assert answer.reply.text == "स्क्रीन लॉक कर रही हूँ।" and answer.reply.language == "hi"


def test_lock_no_and_other_answers(host, runner):
    ask(host, "स्क्रीन लॉक करो")
    answer = ask(host, "नहीं")
    assert answer.plugin == "system" and answer.reply.text == "ठीक है, स्क्रीन लॉक नहीं की।"
    ask(host, "lock my computer")
    other = ask(host, "what time is it")             # not an answer: the question is dropped
    assert other.plugin == "clock"
    later = ask(host, "yes")
    assert later is None or later.plugin != "system"
    assert runner.calls == []


def test_a_late_yes_locks_nothing():
    runner = FakeRunner()
    clock = [100.0]
    skill = SystemSkill(runner, Settings(), now=lambda: clock[0])
    skill.handle(utt("lock the screen"))
    clock[0] += CONFIRM_S + 1
    assert skill.handle(utt("yes")) is None
    assert runner.calls == []


def test_lock_falls_back_and_fails_honestly():
    runner = FakeRunner()
    runner.answers["loginctl"] = Ran((), 1, "", "Could not lock session: No session id\n")
    skill = skill_of(runner)
    skill.handle(utt("lock the screen"))
    assert skill.handle(utt("haan")).text == "स्क्रीन लॉक कर रही हूँ।"
    assert runner.argvs == [("loginctl", "lock-session"), ("xdg-screensaver", "lock")]
    runner.answers["xdg-screensaver"] = Ran((), 4)
    skill.handle(utt("lock the screen"))
    reply = skill.handle(utt("yes"))
    assert reply.text == "I couldn't lock the screen: xdg-screensaver reported an error."
    assert reply.data["ok"] is False
    none = skill_of(FakeRunner(("wpctl",)))
    assert none.handle(utt("lock the screen")).text == \
        "I can't lock the screen: neither loginctl nor xdg-screensaver is installed."


# -- preview: the same words, nothing run -----------------------------------------------------

def test_preview_runs_nothing_and_is_the_same_answer(host, runner):
    for text in ("volume up", "volume 50 percent kar do", "gaana roko", "open firefox",
                 "कैलकुलेटर खोलो", "lock the screen"):
        u = utt(text)
        preview = host.preview(u)
        assert preview is not None and runner.calls == [], text
        assert host.handle(u).reply.text == preview.text
        runner.calls.clear()
    # the lock's question now waits: "yes" is not previewed (it would lock)
    assert host.preview(utt("yes")) is None
    assert ask(host, "no").reply.text == "OK, I won't lock the screen."
    assert runner.calls == []


def test_a_failed_command_does_not_match_its_preview():
    runner = FakeRunner()
    runner.answers["playerctl"] = Ran((), 1, "", "No players found")
    skill = skill_of(runner)
    u = utt("play music")
    assert skill.preview(u).text == "Playing."
    assert skill.handle(u).text == "No media player is running."     # the preview is dropped


# -- the negative set --------------------------------------------------------------------------

NEGATIVE = [
    "what is the volume of a sphere", "volume of a cylinder", "what is volume",
    "open a bank account", "how do I lock my car", "play cricket with me", "next week",
    "what's next", "lock the door", "what is a lock screen", "my screen is locked",
    "stop", "ruko", "open the door", "open the window", "खिड़की खोलो", "दरवाज़ा खोलो",
    "bank mein khata kholo", "खाता खोलो", "how do I open firefox", "what is firefox",
    "play a game", "let's play", "mute the microphone", "turn up the heat",
    "increase my salary", "the volume is too loud", "कितनी आवाज़ है", "आवाज़ कैसी है",
    "tumhari awaaz achhi hai", "volume kitna hai", "the sound of music", "next", "previous",
    "play Arijit Singh songs", "play a song by Kishore Kumar", "open the pod bay doors",
    "start a timer for 5 minutes", "stop the timer", "start the timer",
    "set an alarm for 7 am", "what time is it", "next monday", "skip breakfast", "lock",
    "screen", "music", "start", "run", "run a mile", "the next song was great",
    "pause for a moment", "open source software", "start the car", "switch off the lights",
    "turn off the fan", "मेरी आवाज़ सुनो", "दुकान कब खुलेगी", "open a new account",
    "play with the dog", "unlock the screen", "lock screen wallpaper kaise badle",
    "what is the sound of a cat", "how loud is a jet engine", "volume button kaam nahi karta",
    "skip to the end", "next question", "पिछले हफ़्ते", "agle saal", "gaane ke bol batao",
    "kal subah 6 baje uthana", "add milk to my shopping list", "open my shopping list",
    "open rechner", "lock screen lag raha hai", "volume kaise badhaye",
    "",
]


def test_the_negative_set_is_big_enough():
    assert len(NEGATIVE) >= 70


@pytest.mark.parametrize("text", NEGATIVE)
def test_not_a_system_request(host, runner, text):
    for language in ("en", "hi"):
        answer = ask(host, text, language)
        assert answer is None or answer.plugin != "system", (text, answer.reply.text)
    assert runner.calls == []


def _others_positives() -> list[str]:
    from tests.plugins import (test_alarms, test_calculator, test_clock, test_notes,
                               test_smalltalk, test_timer, test_units)

    out = [t for t, *_ in test_clock.ENGLISH + test_clock.HINDI + test_clock.ROMAN]
    out += [t for t, *_ in test_timer.SET_ENGLISH + test_timer.SET_HINDI + test_timer.SET_ROMAN]
    out += [t for t, *_ in test_timer.CANCEL] + list(test_timer.LIST)
    out += [t for t, _ in test_calculator.ENGLISH + test_calculator.HINDI + test_calculator.ROMAN]
    out += [t for t, *_ in test_smalltalk.ENGLISH + test_smalltalk.HINDI + test_smalltalk.ROMAN]
    out += [t for t, *_ in test_units.ENGLISH + test_units.HINDI]
    out += [t for t, *_ in test_notes.ADD]
    out += [t for t, *_ in test_alarms.SET_ENGLISH + test_alarms.SET_HINDI + test_alarms.SET_ROMAN]
    return [t for t in out if isinstance(t, str)]


OTHERS = _others_positives()


def test_the_other_skills_requests_are_not_system_requests(apps_dir):
    assert len(OTHERS) >= 300
    runner = FakeRunner()
    skill = skill_of(runner, apps_dir)
    taken = [t for t in OTHERS if skill.handle(utt(t)) is not None]
    assert taken == [] and runner.calls == []


# -- tools -------------------------------------------------------------------------------------

def test_the_tools(host, runner):
    tools = host.tools()
    assert {name: plugin for name, (plugin, _) in tools.items()
            if plugin == "system"} == {"volume": "system", "media": "system",
                                       "open_app": "system", "lock_screen": "system"}
    assert tools["volume"][1].parameters == {
        "action": {"type": "string", "enum": ["up", "down", "set", "mute", "unmute"]},
        "percent": "integer"}
    # every action the model may write (an enum) is one the tool serves
    from vaani_system import MEDIA_ACTIONS
    media = tools["media"][1].parameters["action"]["enum"]
    assert {({"resume": "play"}).get(a, a) for a in media} <= set(MEDIA_ACTIONS)
    assert tools["volume"][1].acts and tools["media"][1].acts and tools["open_app"][1].acts
    assert not tools["lock_screen"][1].acts          # it only asks
    schema = tools["open_app"][1].schema()["function"]
    assert schema["name"] == "open_app" and "name" in schema["parameters"]["properties"]

    assert host.call_tool("volume", {"action": "set", "percent": 40}, "en",
                          utterance="could you put the sound at 40 percent, it's too loud") \
        == {"action": "volume", "change": "set", "percent": 40, "ok": True}
    assert host.call_tool("media", {"action": "pause"}, "en",
                          utterance="pause the song, my phone is ringing") == {
        "action": "media", "change": "pause", "ok": True}
    assert host.call_tool("open_app", {"name": "Firefox"}, "en",
                          utterance="hmm open firefox I guess, I need to check something") == {
        "action": "open", "name": "Firefox", "ok": True}
    assert runner.argvs == [
        ("wpctl", "set-volume", "-l", "1.0", "@DEFAULT_AUDIO_SINK@", "40%"),
        ("playerctl", "pause"), ("firefox",)]
    asked = host.call_tool("lock_screen", {}, "en",
                           utterance="I'm going out, lock the screen if you can")
    assert asked == {"asked": "confirm", "locked": False,
                     "question": "Lock the screen now? Say yes or no."}
    assert ask(host, "yes").reply.text == "Locking the screen."


@pytest.mark.parametrize("tool, arguments, utterance", [
    ("volume", {"action": "up"}, "tell me a fun fact about the moon"),
    ("volume", {"action": "set", "percent": 60}, "put the volume at 40 percent, it's loud"),
    ("volume", {"action": "mute"}, "what is the volume of a sphere with radius 2"),
    ("volume", {"action": "sideways"}, "volume sideways"),
    ("volume", {"action": "set", "percent": "loud"}, "make the volume loud"),
    ("media", {"action": "play"}, "play cricket with me"),
    ("media", {"action": "play"}, "let's play a game of chess"),
    ("media", {"action": "next"}, "what's next week"),
    ("open_app", {"name": "firefox"}, "what is firefox written in"),
    ("open_app", {"name": "chrome"}, "open firefox, I need to check something"),
    ("open_app", {"name": "bank"}, "open a bank account for me please"),
    ("lock_screen", {}, "how do I lock my car"),
])
def test_a_tool_runs_only_for_what_was_asked(host, runner, tool, arguments, utterance):
    result = host.call_tool(tool, arguments, "en", utterance=utterance)
    assert "error" in result, result
    assert runner.calls == []


def test_tool_errors_are_said():
    runner = FakeRunner(("playerctl",))
    skill = skill_of(runner)
    assert skill.volume_tool({"action": "up"}, "en") == {
        "error": "I couldn't change the volume: no audio system found"}
    runner.answers["playerctl"] = Ran((), 1, "", "No players found")
    assert skill.media_tool({"action": "resume"}, "en") == {
        "error": "No media player is running"}
    assert "error" in skill.volume_tool({"action": "set"}, "en")
    assert "error" in skill.volume_tool({"action": "set", "percent": 101}, "en")


@pytest.mark.parametrize("result", [
    {"action": "volume", "change": "set", "percent": 40, "ok": True},
    {"action": "volume", "change": "up", "percent": 10, "ok": True},
    {"action": "media", "change": "next", "ok": True},
    {"action": "open", "name": "Firefox", "ok": True},
])
def test_the_tools_own_wording_is_faithful_to_its_result(result):
    for language in ("en", "hi"):
        text = say(result, language)
        assert text
        allowed = Allowed()
        allowed.add(result)
        assert unfaithful(text, allowed) == "", (text, result)


def test_the_tools_do_not_change_what_vaani_declines(host):
    # the skill resumes a player; it cannot choose songs, so "play songs by ..." stays declined
    tools = [tool for _, tool in host.tools().values()]
    assert out_of_scope("play Arijit Singh songs", tools) == ("action", "music")
    assert out_of_scope("turn on the lights", tools) == ("action", "device")


def test_abilities(host):
    assert "the volume and the media player" in host.abilities("en")
    assert "ऐप खोलना और स्क्रीन लॉक करना" in host.abilities("hi")


# -- config --------------------------------------------------------------------------------

@pytest.mark.parametrize("table, message", [
    ({"audio": "oss"}, "plugins.system.audio must be one of auto, wpctl, pactl, amixer"),
    ({"volume_step": 0}, "plugins.system.volume_step must be an integer from 1 to 50"),
    ({"app_dirs": "/usr/share/applications"}, "plugins.system.app_dirs must be a list"),
    ({"app_dirs": [""]}, "app_dirs must be a list of folder paths"),
    ({"timeout_ms": 10}, "plugins.system.timeout_ms must be an integer from 20 to 5000"),
    ({"confirm": False}, "unknown config key 'plugins.system.confirm'"),
])
def test_config_errors(runner, table, message):
    with pytest.raises(ConfigError, match=message):
        host_of(("system",), {"system": table})


def test_handle_before_startup_still_works(runner):
    vaani_system.vaani_shutdown()
    assert vaani_system.vaani_handle(Utterance("volume up", "en")).text == \
        "Turned the volume up."
    assert vaani_system.vaani_handle(Utterance("what time is it", "en")) is None
    vaani_system.vaani_shutdown()


def test_doctor_names_missing_programs():
    from vaani import config as config_mod
    from vaani.commands import doctor

    config = config_mod.from_dict({})
    checks = {c.name: c for c in doctor.check_skill_tools(config, which=lambda p: None)}
    volume = checks["system: volume"]
    assert volume.status == "warn" and not volume.required
    assert volume.fix == "sudo apt-get install wireplumber (or pulseaudio-utils, alsa-utils)"
    assert checks["system: media player"].fix == "sudo apt-get install playerctl"
    assert "Exec line" in checks["system: opening apps"].detail
    found = doctor.check_skill_tools(config, which=lambda p: f"/usr/bin/{p}"
                                     if p in ("amixer", "loginctl") else None)
    assert {c.name: c.status for c in found}["system: volume"] == "ok"
    chosen = config_mod.from_dict({"plugins": {"system": {"audio": "pactl"}}})
    only = {c.name: c for c in doctor.check_skill_tools(chosen, which=lambda p: "/x")}
    assert only["system: volume"].detail == "pactl (/x)"
    disabled = config_mod.from_dict({"plugins": {"disabled": ["system"]}})
    assert doctor.check_skill_tools(disabled) == []


# -- desktop entries: real files ----------------------------------------------------------------

def test_desktop_entries_are_read_from_real_files(apps_dir):
    apps = {a.name: a for a in scan([str(apps_dir)], lambda p: None)}
    assert set(apps) == {"Firefox", "Chromium", "Calculator", "Terminal", "Thunderbird Mail",
                         "Clocks", "Kate", "GnuCash", "Settings", "Htop"}   # not hidden, ...
    ff = apps["Firefox"]
    assert ff.id == "firefox" and ff.generic == ("Web Browser",) and ff.exec == "firefox %u"
    assert ff.keywords == ("Internet", "WWW", "Browser", "Web", "Explorer")
    assert ff.argv() == ["firefox"]                  # not the new-window action's Exec
    assert apps["Calculator"].name_hi == "कैलकुलेटर"
    assert apps["Htop"].terminal
    ghost = app_from(read_entry(apps_dir / "ghost.desktop"), "ghost", "", lambda p: "/bin/x")
    assert ghost is not None and ghost.name == "Ghost"   # its TryExec installed: it counts


def test_the_users_entry_hides_the_systems(tmp_path):
    user = write_apps(tmp_path / "user", {"firefox.desktop": DESKTOP["firefox.desktop"].replace(
        "Exec=firefox %u", "Exec=firefox -P work %u")})
    system = write_apps(tmp_path / "system")
    apps = [a for a in scan([str(user), str(system)], lambda p: None) if a.id == "firefox"]
    assert [a.argv() for a in apps] == [["firefox", "-P", "work"]]
    hidden = write_apps(tmp_path / "user2", {"firefox.desktop":
                                             "[Desktop Entry]\nName=Firefox\nHidden=true\n"})
    assert not [a for a in scan([str(hidden), str(system)], lambda p: None) if a.id == "firefox"]


def test_entries_in_subfolders_get_their_desktop_file_id(tmp_path):
    write_apps(tmp_path / "apps" / "kde4", {"okular.desktop":
                                            "[Desktop Entry]\nName=Okular\nExec=okular %U\n"})
    (app,) = scan([str(tmp_path / "apps")], lambda p: None)
    assert app.id == "kde4-okular"


def test_the_index_sees_a_new_entry(tmp_path):
    folder = write_apps(tmp_path / "apps", {})
    index = AppIndex([str(folder)], lambda p: None)
    assert index.find(["firefox"]) == []
    time.sleep(0.01)
    write_apps(folder, {"firefox.desktop": DESKTOP["firefox.desktop"]})
    os.utime(folder, None)
    assert [a.name for a in index.find(["firefox"])] == ["Firefox"]


@pytest.mark.parametrize("line, argv", [
    ("firefox %u", ["firefox"]),
    ("gimp-2.10 %U", ["gimp-2.10"]),
    ('"/opt/My App/bin/app" --flag %F', ["/opt/My App/bin/app", "--flag"]),
    (r'sh -c "echo \\"hi there\\"; exit 0"', ["sh", "-c", 'echo "hi there"; exit 0']),
    ("app %c --icon-arg %i %k", ["app", "Thing", "--icon-arg", "--icon", "thing",
                                 "/x/thing.desktop"]),
    ("app --name=%c", ["app", "--name="]),          # a code inside an argument: dropped
    ("app 100%%", ["app", "100%"]),
    (r"app\sname", ["app", "name"]),               # escapes first, then the quoting rules
    ('app ""', ["app", ""]),
])
def test_exec_lines(line, argv):
    assert exec_argv(line, name="Thing", icon="thing", path="/x/thing.desktop") == argv


def test_bad_exec_lines():
    with pytest.raises(ValueError):
        exec_argv('app "unterminated')
    with pytest.raises(ValueError):
        exec_argv("%U")
    assert split_exec("a  b\tc") == ["a", "b", "c"]
    assert split_list(r"one;two\;three;;") == ("one", "two;three")


def test_names_said_in_devanagari_match_by_their_consonants():
    assert skeleton("Thunderbird") == skeleton("थंडरबर्ड") == "tndrbrd"
    assert skeleton("firefox") == skeleton("फ़ायरफ़ॉक्स")
    assert skeleton("Inkscape") == skeleton("इंकस्केप")
    index_dir_apps = [app_from({"Name": "Inkscape", "Exec": "inkscape"}, "inkscape", "",
                               lambda p: None)]
    from vaani_system.apps import said_name, tier
    assert tier(index_dir_apps[0], said_name(["इंकस्केप"]), True) == 0
    kate = app_from({"Name": "Kate", "Exec": "kate"}, "kate", "", lambda p: None)
    assert tier(kate, said_name(["खाता"]), True) is None      # two consonants are not enough


def test_the_machines_own_desktop_entries_parse():
    """Whatever this machine has installed (a few entries, or none) is read without error."""
    apps = scan(default_dirs(), shutil.which, default_dirs())
    for app in apps:
        assert app.name and app.id
        try:
            assert app.argv()[0]
        except ValueError:
            pass                                       # a broken entry is skipped, not fatal


# -- the real runner: real processes, no shell -----------------------------------------------

def script(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    d = tmp_path / "bin"
    d.mkdir()
    return d


def test_which_finds_installed_programs(bin_dir):
    runner = SubprocessRunner()
    assert runner.which("sh") is not None
    assert runner.which("vaani-no-such-program") is None
    script(bin_dir, "wpctl", "exit 0\n")
    assert SubprocessRunner(path=str(bin_dir)).which("wpctl") == str(bin_dir / "wpctl")
    assert SubprocessRunner(path=str(bin_dir)).which("sh") is None


def test_the_real_runner_runs_backends_with_their_argv(bin_dir, tmp_path):
    log = tmp_path / "argv.log"
    for name in ("wpctl", "playerctl", "loginctl"):
        script(bin_dir, name, f'echo "$0 $*" >> "{log}"\n')
    skill = SystemSkill(SubprocessRunner(path=str(bin_dir)), settings({"timeout_ms": 2000}))
    assert skill.handle(utt("volume 50 percent kar do")).text == "आवाज़ पचास प्रतिशत कर दी।"
    assert skill.handle(utt("next song")).text == "Skipped to the next track."
    assert skill.handle(utt("lock the screen")).data["asked"] == "confirm"
    assert skill.handle(utt("yes")).text == "Locking the screen."
    lines = [line.split(" ", 1) for line in log.read_text().splitlines()]
    assert [(Path(p).name, args) for p, args in lines] == [
        ("wpctl", "set-volume -l 1.0 @DEFAULT_AUDIO_SINK@ 50%"), ("playerctl", "next"),
        ("loginctl", "lock-session")]


def test_real_failures_timeouts_and_no_players(bin_dir):
    script(bin_dir, "pactl", 'echo "Connection failure: Connection refused" >&2\nexit 1\n')
    script(bin_dir, "playerctl", 'echo "No players found" >&2\nexit 1\n')
    runner = SubprocessRunner(path=str(bin_dir))
    skill = SystemSkill(runner, settings({"timeout_ms": 2000}))
    reply = skill.handle(utt("volume up"))
    assert reply.text == "I couldn't change the volume: pactl reported an error."
    assert reply.data["detail"] == "exit status 1: Connection failure: Connection refused"
    assert skill.handle(utt("pause")).text == "No media player is running."
    script(bin_dir, "wpctl", "sleep 5\n")
    slow = SystemSkill(runner, settings({"timeout_ms": 100}))
    t0 = time.monotonic()
    assert slow.handle(utt("mute")).text == \
        "I couldn't mute the sound: wpctl did not answer in time."
    assert time.monotonic() - t0 < 2


def test_no_audio_system_on_an_empty_path(bin_dir):
    skill = SystemSkill(SubprocessRunner(path=str(bin_dir)))
    assert skill.handle(utt("volume badhao")).text == \
        "आवाज़ नहीं बदल सकी: कोई ऑडियो सिस्टम नहीं मिला।"


def test_an_exec_line_is_never_run_through_a_shell(bin_dir, tmp_path):
    log = tmp_path / "args.log"
    program = script(bin_dir, "echoargs", f'for a in "$@"; do echo "$a" >> "{log}"; done\n')
    pwned = tmp_path / "pwned"
    apps = write_apps(tmp_path / "apps", {"echo.desktop": (
        "[Desktop Entry]\nName=Echo Args\nType=Application\n"
        f'Exec={program} "a;b" $(touch {pwned}) `touch {pwned}` | touch {pwned} %U\n')})
    runner = SubprocessRunner(path=str(bin_dir), env={**os.environ, "DISPLAY": ":99"})
    skill = SystemSkill(runner, settings({"app_dirs": [str(apps)], "timeout_ms": 2000}))
    reply = skill.handle(utt("open echo args"))
    assert reply.data["ok"] and reply.text == "Opening Echo Args."
    deadline = time.monotonic() + 5
    while not log.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.1)
    assert log.read_text().splitlines() == [
        "a;b", "$(touch", f"{pwned})", "`touch", f"{pwned}`", "|", "touch", str(pwned)]
    assert not pwned.exists()


def test_under_the_service_an_app_starts_as_a_unit_of_its_own(bin_dir, tmp_path):
    # the daemon's systemd unit has no network; a browser started as its child would too
    log = tmp_path / "argv.log"
    script(bin_dir, "systemd-run", f'for a in "$@"; do echo "$a" >> "{log}"; done\n')
    app = script(bin_dir, "myapp", "exit 0\n")
    env = {"PATH": str(bin_dir), "DISPLAY": ":1", "INVOCATION_ID": "abc"}
    ran = SubprocessRunner(path=str(bin_dir), env=env).start(["myapp", "--new"], 2.0)
    assert ran.ok
    assert log.read_text().splitlines() == [
        "--user", "--collect", "--quiet", "--setenv=DISPLAY", "--", str(app), "--new"]
    # outside systemd it is started directly
    log.unlink()
    env.pop("INVOCATION_ID")
    assert SubprocessRunner(path=str(bin_dir), env=env).start(["myapp"], 2.0).ok
    assert not log.exists()


def test_start_tells_a_launch_that_failed_from_one_that_runs(bin_dir):
    runner = SubprocessRunner(path=str(bin_dir))
    script(bin_dir, "fails", "exit 3\n")
    script(bin_dir, "runs", "sleep 2\n")
    script(bin_dir, "launcher", "exit 0\n")
    assert not runner.start(["fails"], 1.0).ok
    assert runner.start(["runs"], 0.1).ok and runner.start(["runs"], 0.1).running
    assert runner.start(["launcher"], 1.0).code == 0
    assert runner.start(["vaani-no-such-program"], 0.1).failure == "missing"
    assert runner.run(["vaani-no-such-program"], 0.1).failure == "missing"
