"""Models for the LLM tests.

* tiny random ``nemotron_h`` GGUFs (hybrid Mamba-2 + attention, byte-level vocabulary),
  written by ``training.export`` in about a second: the target, a draft that is the target
  with slightly perturbed weights (it agrees often but not always, so rounds end in every
  possible place), and the target itself as a draft (everything accepted);
* SmolLM2-135M (a plain transformer) from the installed ``smollm2-135m`` pack.
"""

from __future__ import annotations

from pathlib import Path

import pytest

PROMPTS = ["Hello there, how are you", "नमस्ते, आप कैसे हैं?", "The quick brown fox jumps",
           "मेरा नाम वाणी है और मैं"]


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    torch = pytest.importorskip("torch")
    export = pytest.importorskip("training.export")
    torch.set_num_threads(1)
    d = tmp_path_factory.mktemp("tiny-gguf")
    paths = {"target": d / "target.gguf", "draft": d / "draft.gguf"}
    export.write_random_tiny_gguf(paths["target"], seed=0)
    model = export.random_tiny_model(0)
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=gen) * 0.002)
    export.write_gguf(model, paths["draft"], export.byte_tokenizer(), dtype="f32",
                      name="tiny-draft")
    return paths


@pytest.fixture(scope="session")
def smollm2() -> Path:
    """The installed SmolLM2 GGUF (skipped locally / failed in CI when missing)."""
    from tests.conftest import _missing
    from vaani import config as config_mod
    from vaani.errors import ModelMissingError
    from vaani.models import ModelStore

    try:
        return ModelStore.from_config(config_mod.from_dict({})).file("smollm2-135m")
    except ModelMissingError as exc:
        _missing(str(exc))
    raise AssertionError("unreachable")
