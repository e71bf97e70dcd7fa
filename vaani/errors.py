"""The error hierarchy.

Every error the user can see carries a short ``title`` and a ``message`` that says what
went wrong and, where there is one, the command that fixes it (``hint``). A failing stage or
plugin is turned into an :class:`vaani.events.Error` event and the assistant keeps running.
"""

from __future__ import annotations


class VaaniError(Exception):
    """Base class: a problem the user can understand and act on."""

    title = "VAANI error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def user_text(self) -> str:
        """Title, message and hint, for a terminal or a GUI dialog."""
        text = f"{self.title}: {self.message}"
        return f"{text}\n  fix: {self.hint}" if self.hint else text


class ConfigError(VaaniError):
    title = "Configuration error"


class ModelError(VaaniError):
    title = "Model error"


class ModelMissingError(ModelError):
    title = "Model not installed"


class ModelCorruptError(ModelError):
    title = "Model file corrupt"


class AudioError(VaaniError):
    title = "Audio error"


class AudioFormatError(AudioError):
    title = "Unsupported audio"


class AudioDeviceError(AudioError):
    title = "Audio device error"


class EngineError(VaaniError):
    title = "Engine error"


class PluginError(VaaniError):
    title = "Plugin error"


class PluginTimeoutError(PluginError):
    title = "Plugin too slow"


class NetworkBlockedError(VaaniError):
    """Raised by the offline guard when something tries to open a connection."""

    title = "Network access blocked"
