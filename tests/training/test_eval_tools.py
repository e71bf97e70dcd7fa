"""The tool-call accuracy suite scores held-out dialogues cut right before the call."""

import pytest

from training.data.build import VAL_FRAC, is_val
from training.eval_tools import LANGS, TOOLS, _split, held_out_dialogues


@pytest.mark.parametrize("tool", TOOLS)
def test_dialogues_are_validation_side_and_cut_before_the_call(tool):
    for lang in LANGS:
        docs = held_out_dialogues(tool, lang, 3)
        assert len(docs) == 3 and all(is_val(d.render(), 0, VAL_FRAC) for d in docs)
        for d in docs:
            before, want, result = _split(d)
            assert before[-1]["role"] == "user" and want["name"] == tool
            assert isinstance(want["arguments"], dict)
            assert result[0]["tool_calls"] and result[1]["role"] == "tool"
    assert held_out_dialogues(tool, "hi", 3) == held_out_dialogues(tool, "hi", 3)   # stable
