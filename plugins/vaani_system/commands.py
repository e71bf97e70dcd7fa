"""The argv of each backend command (run by :mod:`vaani_system.runner`, never by a shell).

Volume, on the first audio backend installed (or the one configured):

* PipeWire: ``wpctl set-volume -l 1.0 @DEFAULT_AUDIO_SINK@ 10%+`` (``-l 1.0``: never above
  100%), ``wpctl set-mute @DEFAULT_AUDIO_SINK@ 1``;
* PulseAudio (and PipeWire's pulse server): ``pactl set-sink-volume @DEFAULT_SINK@ +10%``,
  ``pactl set-sink-mute @DEFAULT_SINK@ 1``;
* ALSA: ``amixer -q sset Master 10%+``, ``amixer -q sset Master mute``.

Media, through MPRIS: ``playerctl play|pause|next|previous`` (it exits 1 with "No players
found" when no player is running). Screen lock: ``loginctl lock-session``, else
``xdg-screensaver lock``. Apps: ``gtk-launch ID`` for an entry in the standard folders,
else the entry's Exec line (``x-terminal-emulator -e`` in front when it wants a terminal).
"""

from __future__ import annotations

AUDIO_BACKENDS = ("wpctl", "pactl", "amixer")
MEDIA_ACTIONS = ("play", "pause", "next", "previous")
LOCKERS = (("loginctl", "lock-session"), ("xdg-screensaver", "lock"))
TERMINAL = "x-terminal-emulator"


def volume_argv(backend: str, action: str, percent: int) -> list[str]:
    """The command for a volume ``action`` (up, down, set, mute, unmute); ``percent`` is the
    step for up/down and the level for set."""
    if backend == "wpctl":
        sink = "@DEFAULT_AUDIO_SINK@"
        if action in ("mute", "unmute"):
            return ["wpctl", "set-mute", sink, "1" if action == "mute" else "0"]
        amount = {"up": f"{percent}%+", "down": f"{percent}%-", "set": f"{percent}%"}[action]
        return ["wpctl", "set-volume", "-l", "1.0", sink, amount]
    if backend == "pactl":
        sink = "@DEFAULT_SINK@"
        if action in ("mute", "unmute"):
            return ["pactl", "set-sink-mute", sink, "1" if action == "mute" else "0"]
        amount = {"up": f"+{percent}%", "down": f"-{percent}%", "set": f"{percent}%"}[action]
        return ["pactl", "set-sink-volume", sink, amount]
    if backend == "amixer":
        if action in ("mute", "unmute"):
            return ["amixer", "-q", "sset", "Master", action]
        amount = {"up": f"{percent}%+", "down": f"{percent}%-", "set": f"{percent}%"}[action]
        return ["amixer", "-q", "sset", "Master", amount]
    raise ValueError(f"unknown audio backend {backend!r}")


def media_argv(action: str) -> list[str]:
    if action not in MEDIA_ACTIONS:
        raise ValueError(f"unknown media action {action!r}")
    return ["playerctl", action]


def no_player(out: str, err: str) -> bool:
    """playerctl's answer when no MPRIS player is running."""
    return "no players found" in f"{out}\n{err}".lower()
