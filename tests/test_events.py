import dataclasses
import json

import numpy as np
import pytest

from vaani import events
from vaani.errors import ModelMissingError


def test_events_are_frozen_and_timestamped():
    e = events.Transcript(text="hi", language="en")
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.text = "x"
    later = events.Transcript(text="hi", language="en")
    assert later.t >= e.t > 0
    assert e.kind == "Transcript"


def test_every_event_type_serialises_to_json():
    samples = np.zeros(160, dtype=np.float32)
    values = {"samples": samples, "sample_rate": 16000, "channels": 1, "source": "x",
              "at": 1.0, "name": "w", "score": 0.9, "text": "t", "language": "en",
              "trigger": "wake", "outcome": "answered", "stage": "asr", "ms": 1.0,
              "title": "T", "message": "m", "state": "idle", "rms": 0.1, "peak": 0.2}
    for name, cls in events.EVENT_TYPES.items():
        fields = {f.name for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING
                  and f.default_factory is dataclasses.MISSING}
        event = cls(**{k: values[k] for k in fields})
        data = events.to_dict(event)
        json.dumps(data)
        assert data["kind"] == name
        if "samples" in fields:
            assert data["n_samples"] == 160 and "samples" not in data


def test_error_event_keeps_title_and_hint():
    exc = ModelMissingError("model 'x' is not installed", hint="vaani models install x")
    e = events.error_event(exc, source="asr", turn=3)
    assert (e.title, e.hint, e.turn, e.source) == ("Model not installed", "vaani models install x", 3, "asr")
    e = events.error_event(ValueError("boom"), source="plugin:p")
    assert e.title == "Internal error" and "ValueError: boom" in e.message
