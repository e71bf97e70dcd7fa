"""System and media skill: the volume, the media player, opening apps and locking the
screen, by voice, in Hindi, English and Hinglish.

"volume badhao", "आवाज़ कम करो", "volume 50 percent kar do", "turn the volume up by 20",
"mute karo", "unmute", "गाना रोको", "play music", "next song", "agla gaana", "open firefox",
"फ़ायरफ़ॉक्स खोलो", "calculator kholo", "lock the screen", "स्क्रीन लॉक करो".

What it runs (:mod:`vaani_system.commands`), always as an argv list, never through a shell:

* volume: ``wpctl`` (PipeWire), ``pactl`` (PulseAudio) or ``amixer`` (ALSA), the first one
  installed (``audio`` picks one);
* media: ``playerctl`` (MPRIS), which says when no player is running;
* apps: the freedesktop desktop entries (:mod:`vaani_system.apps`), launched with
  ``gtk-launch`` or their Exec line;
* screen lock: ``loginctl lock-session``, else ``xdg-screensaver lock``, only after a yes:
  "Lock the screen now? Say yes or no." (the answer is taken on the next turn, within
  ``CONFIRM_S``; anything else drops the question).

Honest by construction: a reply says an action was done only when its command exited 0
(for an app: its launcher exited 0, or the app is still running after a short wait);
otherwise it says what failed ("I couldn't change the volume: no audio system found", "No
media player is running"). Every command goes through one :class:`~vaani_system.runner.Runner`
(tests put a fake one at the process boundary) with a timeout (``timeout_ms``), kept below
the plugin deadline so that a slow command fails here instead of running on after the turn.

``vaani_preview`` runs nothing: it words what the command would be said to have done, and
that audio is used only if the command then succeeds with the same words. The LLM gets
four tools (``volume``, ``media``, ``open_app``, ``lock_screen``); each runs only when the
utterance asks for that action, and ``lock_screen`` only asks the question.

Config (``[plugins.system]``): ``audio`` ("auto", "wpctl", "pactl", "amixer"),
``volume_step`` (percent, default 10), ``app_dirs`` (folders of .desktop files; default the
XDG ones), ``timeout_ms`` (default 250).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vaani.hookspecs import PluginContext, Reply, Tool, Utterance, hookimpl
from vaani.kit import Option, plugin_options
from vaani.language import scores, word_key, words
from vaani.numwords import find_numbers, hindi_words

from vaani_system.apps import App, AppIndex
from vaani_system.commands import (AUDIO_BACKENDS, LOCKERS, MEDIA_ACTIONS, TERMINAL,
                                   media_argv, no_player, volume_argv)
from vaani_system.runner import Ran, Runner, SubprocessRunner
from vaani_system.understand import (DOWN, FULL, LOCK, LOUDER, MAX_APP_WORDS, MEDIA, MUTE, NEXT,
                                     NEXT_ALONE, OFF, ON, OPEN, PAUSE, PERCENT, PLAY, PREVIOUS,
                                     QUIETER, RUN, SCREEN, UNMUTE, UP, VOLUME, Request, is_no,
                                     is_yes, key_list, reply_language, understand)

log = logging.getLogger(__name__)

NAME = "system"
CONFIRM_S = 30.0            # how long "Lock the screen now?" waits for its yes
LAUNCH_WAIT_S = 0.15        # an app's launcher that fails at once does so within this

# The runner new skills get; tests replace it (monkeypatch) with a fake at the process
# boundary before the host starts.
RUNNER: Runner = SubprocessRunner()


def _dirs(value: Any) -> list[str]:
    if not all(isinstance(d, str) and d.strip() for d in value):
        raise ValueError("app_dirs must be a list of folder paths")
    return list(value)


OPTIONS = plugin_options(
    NAME,
    Option("audio", str, "auto", "the volume backend: auto (the first of wpctl, pactl, "
                                 "amixer installed) or one of them",
           choices=("auto", *AUDIO_BACKENDS)),
    Option("volume_step", int, 10, "percent that 'volume up' / 'volume down' move",
           min=1, max=50),
    Option("app_dirs", list, [], "folders of .desktop files apps are opened from (empty: "
                                 "~/.local/share/applications and the XDG data folders)",
           check=_dirs),
    Option("timeout_ms", int, 250, "how long a command may take before it counts as failed "
                                   "(keep it below plugins.timeout_ms)", min=20, max=5000))


@dataclass(frozen=True)
class Settings:
    audio: str = "auto"
    volume_step: int = 10
    app_dirs: tuple[str, ...] = ()
    timeout_ms: int = 250


def settings(table: dict[str, Any]) -> Settings:
    """Validated ``[plugins.system]`` (ConfigError names a bad key)."""
    v = OPTIONS.check(table)
    return Settings(v["audio"], v["volume_step"], tuple(v["app_dirs"]), v["timeout_ms"])


def _lang(language: str) -> str:
    return language if language in ("hi", "en") else "en"


# -- words ----------------------------------------------------------------------------------

_FAILED_EN = {"up": "I couldn't change the volume", "down": "I couldn't change the volume",
              "set": "I couldn't change the volume", "mute": "I couldn't mute the sound",
              "unmute": "I couldn't unmute the sound"}
_FAILED_HI = {"up": "आवाज़ नहीं बदल सकी", "down": "आवाज़ नहीं बदल सकी", "set": "आवाज़ नहीं बदल सकी",
              "mute": "आवाज़ बंद नहीं कर सकी", "unmute": "आवाज़ चालू नहीं कर सकी"}


def _volume_text(r: dict[str, Any], hi: bool) -> str:
    change, percent, error = r.get("change", "set"), r.get("percent"), r.get("error", "")
    backend = r.get("backend", "")
    if error == "out_of_range":
        return ("आवाज़ शून्य से सौ प्रतिशत तक ही हो सकती है।" if hi
                else "The volume goes from 0 to 100 percent.")
    if error:
        why_en = {"no_backend": "no audio system found",
                  "not_installed": f"{backend} is not installed",
                  "timeout": f"{backend} did not answer in time"}.get(
            error, f"{backend} reported an error")
        why_hi = {"no_backend": "कोई ऑडियो सिस्टम नहीं मिला",
                  "not_installed": f"{backend} इंस्टॉल नहीं है",
                  "timeout": "ऑडियो सिस्टम ने समय पर जवाब नहीं दिया"}.get(
            error, "ऑडियो सिस्टम ने गड़बड़ी बताई")
        return f"{_FAILED_HI.get(change, _FAILED_HI['set'])}: {why_hi}।" if hi else \
            f"{_FAILED_EN.get(change, _FAILED_EN['set'])}: {why_en}."
    step = percent if r.get("said") else None
    if hi:
        amount = f"{hindi_words(percent)} प्रतिशत " if isinstance(percent, int) else ""
        return {"up": f"आवाज़ {amount if step else ''}बढ़ा दी।",
                "down": f"आवाज़ {amount if step else ''}कम कर दी।",
                "set": f"आवाज़ {amount}कर दी।",
                "mute": "आवाज़ म्यूट कर दी।", "unmute": "आवाज़ फिर से चालू कर दी।"}[change]
    by = f" by {percent}%" if step else ""
    return {"up": f"Turned the volume up{by}.", "down": f"Turned the volume down{by}.",
            "set": f"Set the volume to {percent}%.", "mute": "Muted the sound.",
            "unmute": "Unmuted the sound."}[change]


def _media_text(r: dict[str, Any], hi: bool) -> str:
    error = r.get("error", "")
    if error == "no_playerctl":
        return ("मीडिया प्लेयर नहीं चला सकती: playerctl इंस्टॉल नहीं है।" if hi
                else "I can't control the media player: playerctl is not installed.")
    if error == "no_player":
        return "कोई मीडिया प्लेयर नहीं चल रहा है।" if hi else "No media player is running."
    if error == "timeout":
        return ("मीडिया प्लेयर ने समय पर जवाब नहीं दिया।" if hi
                else "The media player did not answer in time.")
    if error:
        return "मीडिया प्लेयर ने गड़बड़ी बताई।" if hi else "The media player reported an error."
    if hi:
        return {"play": "गाना चला दिया।", "pause": "गाना रोक दिया।",
                "next": "अगला गाना लगा दिया।", "previous": "पिछला गाना लगा दिया।"}[r["change"]]
    return {"play": "Playing.", "pause": "Paused.", "next": "Skipped to the next track.",
            "previous": "Back to the previous track."}[r["change"]]


def _join(items: list[str], hi: bool) -> str:
    word = " और " if hi else " and "
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + word + items[-1]


def _open_text(r: dict[str, Any], hi: bool) -> str:
    error, said = r.get("error", ""), r.get("said", "")
    name = (r.get("name_hi") or r.get("name", "")) if hi else r.get("name", "")
    if error == "not_found":
        return (f"{said} नाम का कोई ऐप नहीं मिला।" if hi
                else f"I couldn't find an app called {said}.")
    if error == "ambiguous":
        names = _join(list(r.get("matches", [])), hi)
        return (f"{said} नाम के कई ऐप हैं: {names}। पूरा नाम बताइए।" if hi
                else f"More than one app is called {said}: {names}. Say the full name.")
    if error == "no_display":
        return ("ऐप नहीं खोल सकती: कोई ग्राफ़िकल सेशन नहीं मिला।" if hi
                else "I can't open apps: no graphical session found.")
    if error:
        why_en = {"missing": "its program is not installed",
                  "needs_terminal": "it needs a terminal and none was found",
                  "bad_entry": "its desktop entry has no valid command"}.get(
            error, "it exited with an error")
        why_hi = {"missing": "उसका प्रोग्राम इंस्टॉल नहीं है",
                  "needs_terminal": "उसे टर्मिनल चाहिए, जो नहीं मिला",
                  "bad_entry": "उसकी डेस्कटॉप एंट्री में सही कमांड नहीं है"}.get(
            error, "वह गड़बड़ी के साथ बंद हो गया")
        return f"{name} नहीं खुल सका: {why_hi}।" if hi else f"I couldn't open {name}: {why_en}."
    return f"{name} खोल रही हूँ।" if hi else f"Opening {name}."


def _lock_text(r: dict[str, Any], hi: bool) -> str:
    error = r.get("error", "")
    if r.get("asked"):
        return "स्क्रीन अभी लॉक कर दूँ? हाँ या ना कहिए।" if hi else \
            "Lock the screen now? Say yes or no."
    if r.get("cancelled"):
        return "ठीक है, स्क्रीन लॉक नहीं की।" if hi else "OK, I won't lock the screen."
    if error == "no_locker":
        return ("स्क्रीन लॉक नहीं कर सकती: loginctl या xdg-screensaver इंस्टॉल नहीं है।" if hi
                else "I can't lock the screen: neither loginctl nor xdg-screensaver is installed.")
    if error:
        program = r.get("backend", "")
        why_hi = "समय पर जवाब नहीं मिला" if error == "timeout" else "गड़बड़ी हुई"
        why_en = "did not answer in time" if error == "timeout" else "reported an error"
        return f"स्क्रीन लॉक नहीं हो सकी: {why_hi}।" if hi else \
            f"I couldn't lock the screen: {program} {why_en}."
    return "स्क्रीन लॉक कर रही हूँ।" if hi else "Locking the screen."


def say(result: dict[str, Any], language: str) -> str:
    """The skill's sentence for a result (a reply's data or a tool's result)."""
    hi = _lang(language) == "hi"
    kind = result.get("action")
    if kind == "volume":
        return _volume_text(result, hi)
    if kind == "media":
        return _media_text(result, hi)
    if kind == "open":
        return _open_text(result, hi)
    if kind == "lock":
        return _lock_text(result, hi)
    return ""


def _failure(ran: Ran) -> str:
    return {"missing": "not_installed", "timeout": "timeout"}.get(ran.failure, "failed")


# -- the skill ------------------------------------------------------------------------------

@dataclass
class Confirm:
    action: str                 # lock
    language: str
    expires: float


class SystemSkill:
    """Requests -> backend commands (through the runner) -> honest replies."""

    def __init__(self, runner: Runner, config: Settings = Settings(),
                 now: Callable[[], float] = time.monotonic) -> None:
        self.runner = runner
        self.config = config
        self.now = now
        self.apps = AppIndex(config.app_dirs or None, runner.which)
        self._lock = threading.Lock()
        self._confirm: Confirm | None = None

    @property
    def timeout_s(self) -> float:
        return self.config.timeout_ms / 1000

    # -- turns --

    def handle(self, utterance: Utterance) -> Reply | None:
        language = reply_language(utterance.text, _lang(utterance.language))
        with self._lock:
            confirm, self._confirm = self._confirm, None
        if confirm is not None and confirm.expires >= self.now():
            hi_score, en_score = scores(utterance.text)
            if hi_score == en_score:             # "yes", "ok": the question's language
                language = confirm.language
            if is_yes(utterance.text):
                return self._reply(self.lock_now(), language)
            if is_no(utterance.text):
                return self._reply({"action": "lock", "ok": False, "cancelled": True}, language)
        request = understand(utterance.text)
        if request is None:
            return None
        result = self.serve(request, language, act=True)
        return None if result is None else self._reply(result, language)

    def preview(self, utterance: Utterance) -> Reply | None:
        """What ``handle`` would say if its command succeeds, running nothing; None while a
        question waits for its answer."""
        with self._lock:
            if self._confirm is not None:
                return None
        request = understand(utterance.text)
        if request is None:
            return None
        language = reply_language(utterance.text, _lang(utterance.language))
        result = self.serve(request, language, act=False)
        return None if result is None else self._reply(result, language)

    def _reply(self, result: dict[str, Any], language: str) -> Reply:
        return Reply(say(result, language), language, result)

    def serve(self, r: Request, language: str, act: bool) -> dict[str, Any] | None:
        """The result of a request (``act``: run its command; else what running it
        successfully would give); None when it is not this skill's after all (an "open"
        that names no installed app)."""
        if r.kind == "volume":
            return self.volume(r.action, r.percent, act, out_of_range=r.out_of_range)
        if r.kind == "media":
            return self.media(r.action, act)
        if r.kind == "lock":
            return self.ask_lock(language, act)
        return self.open(r.query, r.strong, r.app_word, act)

    # -- volume --

    def audio_backend(self) -> tuple[str | None, str]:
        """(backend, why none): the configured one, or the first installed."""
        if self.config.audio != "auto":
            found = self.runner.which(self.config.audio)
            return (self.config.audio, "") if found else (None, "not_installed")
        for backend in AUDIO_BACKENDS:
            if self.runner.which(backend):
                return backend, ""
        return None, "no_backend"

    def volume(self, change: str, percent: int | None, act: bool,
               out_of_range: bool = False) -> dict[str, Any]:
        said = percent is not None
        if change in ("up", "down") and percent is None:
            percent = self.config.volume_step
        result: dict[str, Any] = {"action": "volume", "change": change, "ok": False}
        if change not in ("mute", "unmute"):
            result.update(percent=percent, said=said)
        if out_of_range:
            return {**result, "error": "out_of_range"}
        backend, why = self.audio_backend()
        if backend is None:
            return {**result, "error": why, "backend": self.config.audio
                    if self.config.audio != "auto" else ""}
        argv = volume_argv(backend, change, percent or 0)
        result.update(backend=backend, argv=argv)
        if not act:
            return {**result, "ok": True}
        ran = self.runner.run(argv, self.timeout_s)
        if ran.ok:
            return {**result, "ok": True}
        log.info("volume: %s failed: %s", argv, ran.detail)
        return {**result, "error": _failure(ran), "detail": ran.detail}

    # -- media --

    def media(self, change: str, act: bool) -> dict[str, Any]:
        result: dict[str, Any] = {"action": "media", "change": change, "ok": False}
        if not self.runner.which("playerctl"):
            return {**result, "error": "no_playerctl"}
        argv = media_argv(change)
        result["argv"] = argv
        if not act:
            return {**result, "ok": True}
        ran = self.runner.run(argv, self.timeout_s)
        if ran.ok:
            return {**result, "ok": True}
        if not ran.failure and no_player(ran.out, ran.err):
            return {**result, "error": "no_player"}
        log.info("media: %s failed: %s", argv, ran.detail)
        return {**result, "error": _failure(ran), "detail": ran.detail}

    # -- apps --

    def open(self, query: tuple[str, ...], strong: bool, app_word: bool,
             act: bool) -> dict[str, Any] | None:
        said = " ".join(query)
        result: dict[str, Any] = {"action": "open", "said": said, "ok": False}
        found = self.apps.find(query, strong)
        if not found:
            # "open the spotify app": surely an app, so say it is not there; "open a bank
            # account": not an app at all, so not this skill's
            return {**result, "error": "not_found"} if app_word and strong else None
        if len(found) > 1:
            return {**result, "error": "ambiguous", "matches": [a.name for a in found[:4]]}
        app = found[0]
        result.update(name=app.name, name_hi=app.name_hi, id=app.id)
        if not self.runner.graphical():
            return {**result, "error": "no_display"}
        argv, why = self.launch_argv(app)
        if argv is None:
            return {**result, "error": why}
        result["argv"] = argv
        if not act:
            return {**result, "ok": True}
        ran = self.runner.start(argv, min(LAUNCH_WAIT_S, self.timeout_s))
        if ran.ok:
            return {**result, "ok": True}
        log.info("open: %s failed: %s", argv, ran.detail)
        return {**result, "error": "missing" if ran.failure == "missing" else "failed",
                "detail": ran.detail}

    def launch_argv(self, app: App) -> tuple[list[str] | None, str]:
        """``gtk-launch ID`` for an entry where gtk-launch finds it, else its Exec line."""
        if app.standard and self.runner.which("gtk-launch"):
            return ["gtk-launch", app.id], ""
        try:
            argv = app.argv()
        except ValueError:
            return None, "bad_entry"
        if app.terminal:
            if not self.runner.which(TERMINAL):
                return None, "needs_terminal"
            argv = [TERMINAL, "-e", *argv]
        return argv, ""

    # -- screen lock --

    def lockers(self) -> list[list[str]]:
        return [[program, arg] for program, arg in LOCKERS if self.runner.which(program)]

    def ask_lock(self, language: str, act: bool) -> dict[str, Any]:
        """The question first: nothing is locked before a yes."""
        result: dict[str, Any] = {"action": "lock", "ok": False}
        if not self.lockers():
            return {**result, "error": "no_locker"}
        if act:
            with self._lock:
                self._confirm = Confirm("lock", language, self.now() + CONFIRM_S)
        return {**result, "asked": "confirm", "locked": False}

    def lock_now(self) -> dict[str, Any]:
        result: dict[str, Any] = {"action": "lock", "ok": False}
        tried: list[Ran] = []
        for argv in self.lockers():
            ran = self.runner.run(argv, self.timeout_s)
            if ran.ok:
                return {**result, "ok": True, "backend": argv[0], "argv": argv}
            tried.append(ran)
        if not tried:
            return {**result, "error": "no_locker"}
        last = tried[-1]
        log.info("lock: %s", "; ".join(f"{' '.join(r.argv)}: {r.detail}" for r in tried))
        return {**result, "error": _failure(last), "backend": last.argv[0],
                "detail": last.detail}

    # -- tools --

    def volume_tool(self, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        change = str(arguments.get("action") or "").strip().lower()
        if change not in ("up", "down", "set", "mute", "unmute"):
            return {"error": "action must be up, down, set, mute or unmute"}
        percent = arguments.get("percent")
        if percent is not None and (isinstance(percent, bool) or not isinstance(percent, int)):
            return {"error": "percent must be a whole number"}
        if change == "set" and percent is None:
            return {"error": "set needs a percent from 0 to 100"}
        if change in ("mute", "unmute"):
            percent = None
        bad = percent is not None and not (0 <= percent <= 100 if change == "set"
                                           else 0 < percent <= 100)
        return _tool_result(self.volume(change, percent, act=True, out_of_range=bad), language)

    def media_tool(self, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        change = str(arguments.get("action") or "").strip().lower()
        change = {"resume": "play", "skip": "next", "prev": "previous", "back": "previous",
                  "stop": "pause"}.get(change, change)
        if change not in MEDIA_ACTIONS:
            return {"error": "action must be resume, pause, next or previous"}
        return _tool_result(self.media(change, act=True), language)

    def open_tool(self, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        name = arguments.get("name")
        if not isinstance(name, str) or not words(name):
            return {"error": "name must be an app's name"}
        result = self.open(words(name)[:MAX_APP_WORDS], True, True, act=True)
        return _tool_result(result or {"action": "open", "said": name, "error": "not_found"},
                            language)

    def lock_tool(self, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        result = self.ask_lock(_lang(language), act=True)
        if "error" in result:
            return _tool_result(result, language)
        return {"asked": "confirm", "locked": False, "question": say(result, "en")}

    def open_grounded(self, arguments: dict[str, Any], utterance: str) -> bool:
        """The app the model names is one the user named, after "open"/"खोलो"."""
        name = arguments.get("name")
        if not isinstance(name, str) or not words(name):
            return False
        w = words(utterance)
        ks = [word_key(x) for x in w]
        if not any(k in OPEN or k in RUN for k in ks):
            return False
        # by its name, file or program only: a keyword ("bank" of a finance app) is too
        # loose for a call the model made up ("open a bank account" -> open_app "bank")
        wanted = {(a.name, a.exec) for a in self.apps.find(words(name)[:MAX_APP_WORDS], False)}
        if len(wanted) != 1:
            return False
        for size in range(1, MAX_APP_WORDS + 1):
            for i in range(len(w) - size + 1):
                if {(a.name, a.exec) for a in self.apps.find(w[i:i + size], False)} == wanted:
                    return True
        return False


def _tool_result(result: dict[str, Any], language: str) -> dict[str, Any]:
    """A result as the model sees it: what was done, or ``{"error": why}`` in words."""
    if result.get("error"):
        return {"error": say(result, "en").rstrip(".")}
    out = {k: v for k, v in result.items() if k in ("action", "change", "percent", "name", "ok")}
    return out


# -- grounding: the model's call fits what the user said ----------------------------------

def _keys(utterance: str) -> tuple[tuple[str, ...], list[str]]:
    w = words(utterance)
    return w, key_list(w)


def _said_numbers(w: tuple[str, ...]) -> set[int]:
    out: set[int] = set()
    for roman in (True, False):
        for span in find_numbers(w, roman):
            value = span.value
            if value == int(value):
                out.add(int(value))
            if value < 1:
                out.add(int(value * 100))
    return out


def volume_grounded(arguments: dict[str, Any], utterance: str) -> bool:
    change = str(arguments.get("action") or "").strip().lower()
    w, ks = _keys(utterance)
    has = lambda vocab: any(k in vocab for k in ks)          # noqa: E731
    noun = has(VOLUME)
    percent = arguments.get("percent")
    if percent is not None and change != "set" and change not in ("up", "down"):
        percent = None
    if percent is not None:
        said = _said_numbers(w) | ({100} if has(FULL) else set())
        if percent not in said or not any(k in PERCENT for k in ks) and not noun:
            return False
    if change == "up":
        return has(LOUDER) or (noun and has(UP))
    if change == "down":
        return has(QUIETER) or (noun and has(DOWN))
    if change == "set":
        return noun and percent is not None
    if change == "mute":
        return has(MUTE) and not has(UNMUTE) or (noun and has(OFF))
    if change == "unmute":
        return has(UNMUTE) or (has(MUTE) and "un" in w) or (noun and has(ON) and not has(OFF))
    return False


def media_grounded(arguments: dict[str, Any], utterance: str) -> bool:
    """A media word and the verb of that action were both said: "pause the song, my phone is
    ringing" (never "play cricket with me": no media word)."""
    change = str(arguments.get("action") or "").strip().lower()
    change = {"resume": "play", "skip": "next", "prev": "previous", "back": "previous",
              "stop": "pause"}.get(change, change)
    _, ks = _keys(utterance)
    has = lambda vocab: any(k in vocab for k in ks)          # noqa: E731
    verbs = {"play": PLAY, "pause": PAUSE, "next": NEXT, "previous": PREVIOUS}.get(change)
    if verbs is None or not has(verbs):
        return False
    return has(MEDIA) or (change == "next" and has(NEXT_ALONE))


def lock_grounded(arguments: dict[str, Any], utterance: str) -> bool:
    _, ks = _keys(utterance)
    return any(k in LOCK for k in ks) and any(k in SCREEN for k in ks)


# -- hooks ----------------------------------------------------------------------------------

_lock = threading.Lock()
_skill: SystemSkill | None = None


def _get() -> SystemSkill:
    global _skill
    with _lock:
        if _skill is None:               # handle() before startup (a library user)
            _skill = SystemSkill(RUNNER)
        return _skill


@hookimpl
def vaani_configure(config: Any, table: dict[str, Any]) -> None:
    settings(table)


@hookimpl
def vaani_startup(ctx: PluginContext) -> None:
    global _skill
    skill = SystemSkill(RUNNER, settings(ctx.table))
    with _lock:
        _skill = skill
    # read the desktop entries now, off the caller's thread, so that the first "open ..."
    # does not pay for it within its deadline
    threading.Thread(target=_warm, args=(skill,), name="vaani-system-apps", daemon=True).start()


def _warm(skill: SystemSkill) -> None:
    try:
        skill.apps.apps()
    except Exception:                    # an unreadable folder: found again on first use
        log.exception("system: reading the desktop entries failed")


@hookimpl
def vaani_handle(utterance: Utterance) -> Reply | None:
    return _get().handle(utterance)


@hookimpl
def vaani_preview(utterance: Utterance) -> Reply | None:
    return _get().preview(utterance)


@hookimpl
def vaani_tools() -> list[Tool]:
    # The descriptions avoid the words the reply guard reads as "this tool plays music" or
    # "controls devices": the skill resumes a player that is already there, it does not
    # choose what to hear, so "play songs by ..." stays honestly declined.
    return [
        Tool("volume", "change the computer's sound volume: action up, down, set, mute or "
                       "unmute; percent is the level for set (0-100) or the step for up/down",
             {"action": {"type": "string", "enum": ["up", "down", "set", "mute", "unmute"]},
              "percent": "integer"},
             lambda arguments, language: _get().volume_tool(arguments, language),
             acts=True, grounded=volume_grounded, say=say),
        Tool("media", "pause, resume, or skip to the next or previous track in the media "
                      "app that is already running: action pause, resume, next or previous",
             {"action": {"type": "string", "enum": ["pause", "resume", "next", "previous"]}},
             lambda arguments, language: _get().media_tool(arguments, language),
             acts=True, grounded=media_grounded, say=say),
        Tool("open_app", "open an installed desktop application by its name",
             {"name": "string"},
             lambda arguments, language: _get().open_tool(arguments, language),
             acts=True, grounded=lambda arguments, utterance: _get().open_grounded(
                 arguments, utterance), say=say),
        Tool("lock_screen", "ask the user to confirm, then lock the computer's screen "
                            "(it only asks; the screen locks after the user says yes)",
             {}, lambda arguments, language: _get().lock_tool(arguments, language),
             grounded=lock_grounded,
             say=lambda result, language: say({"action": "lock", "asked": "confirm"},
                                               language)),
    ]


@hookimpl
def vaani_abilities(language: str) -> list[str]:
    if language == "hi":
        return ["आवाज़ और मीडिया प्लेयर", "ऐप खोलना और स्क्रीन लॉक करना"]
    return ["the volume and the media player", "opening apps and locking the screen"]


@hookimpl
def vaani_shutdown() -> None:
    global _skill
    with _lock:
        _skill = None
