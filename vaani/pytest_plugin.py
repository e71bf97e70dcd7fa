"""pytest fixtures for VAANI plugin authors, registered through the ``pytest11`` entry
point: installing VAANI makes them available in any test suite.

Say which plugins a test loads by overriding ``vaani_plugins`` in your ``conftest.py``
(the template ``vaani plugin new`` writes does), then ask::

    @pytest.fixture
    def vaani_plugins():
        import my_weather
        return {"weather": my_weather}

    def test_weather(vaani):
        said = vaani.ask("what's the weather")
        assert said.text == "It is sunny." and said.plugin == "weather"

Fixtures (each may be overridden in a conftest, or set per test with
``@pytest.mark.vaani(plugins=..., config=..., engines=..., entry_points=...)``):

``vaani``               a started :class:`vaani.testing.PluginKit`: ``ask(text)`` (reply +
                        events), ``handle``, ``preview``, ``tools``, ``call_tool``,
                        ``abilities``, ``notifications``, ``model_says``, ``model_calls``
``vaani_ask``           ``vaani.ask``
``vaani_plugins``       the plugins to load: ``{name: module_or_object}`` (default none)
``vaani_config``        config as a dict: ``{"plugins": {"weather": {"city": "Pune"}}}``
``vaani_engines``       ``"fake"`` (default: a scripted model, no model files) or ``"real"``
                        (the installed models; the test is skipped when they are missing)
``vaani_entry_points``  also load every installed plugin, the built-in skills too (False)
``vaani_time``          the :class:`vaani.testing.FakeClock` plugins get as ``ctx.now``

Utterance builders: ``vaani.testing.hi(text)``, ``en(text)``, ``utterance(text)`` (language
resolved as the assistant does), also on the fixture: ``vaani.hi("समय क्या है")``.

This module imports nothing of VAANI until a fixture is used, so it costs a test suite
that never uses it nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "vaani(plugins=None, config=None, engines=None, entry_points=None): "
                   "what the vaani fixture loads for this test")


def _marked(request: pytest.FixtureRequest, key: str, default: Any) -> Any:
    marker = request.node.get_closest_marker("vaani")
    if marker is not None and marker.kwargs.get(key) is not None:
        return marker.kwargs[key]
    return default


@pytest.fixture
def vaani_plugins() -> Any:
    """The plugins ``vaani`` loads: override with ``{name: module_or_object}``."""
    return {}


@pytest.fixture
def vaani_config() -> dict[str, Any]:
    """The config the assistant is built from, as a dict of TOML sections."""
    return {}


@pytest.fixture
def vaani_engines() -> str:
    return "fake"


@pytest.fixture
def vaani_entry_points() -> bool:
    return False


@pytest.fixture
def vaani_time() -> Any:
    from vaani.testing import FakeClock

    return FakeClock()


@pytest.fixture
def vaani(request: pytest.FixtureRequest, vaani_plugins: Any, vaani_config: dict[str, Any],
          vaani_engines: str, vaani_entry_points: bool, vaani_time: Any) -> Iterator[Any]:
    """A started assistant for a plugin's tests (closed after the test)."""
    from vaani.errors import ModelMissingError
    from vaani.testing import PluginKit

    kit = PluginKit(_marked(request, "plugins", vaani_plugins),
                    config=_marked(request, "config", vaani_config),
                    engines=_marked(request, "engines", vaani_engines),
                    entry_points=_marked(request, "entry_points", vaani_entry_points),
                    clock=vaani_time)
    try:
        kit.start()
    except ModelMissingError as exc:
        kit.close()
        pytest.skip(f"real engines need the models: {exc}")
    try:
        yield kit
    finally:
        kit.close()


@pytest.fixture
def vaani_ask(vaani: Any) -> Any:
    """``vaani_ask("what time is it")`` -> :class:`vaani.testing.Asked`."""
    return vaani.ask
