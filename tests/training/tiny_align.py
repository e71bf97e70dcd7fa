"""A tiny Chimera checkpoint with the real tokenizer's vocabulary, for the alignment tests."""

from __future__ import annotations

from pathlib import Path

import torch

from training.config import from_depth
from training.model import Chimera

TINY = dict(n_embd=64, d_inner=128, ssm_head_dim=32, d_state=16, n_head=2, n_head_kv=1,
            head_dim=32, ffn=128, chunk_size=16, context_length=256)
COMMON = ["--nice", "0", "--threads", "1"]


def tiny_checkpoint(path: Path, vocab: int, seed: int = 0, std: float = 0.02) -> Path:
    """A random-init depth-2 (M-*-) model saved in the checkpoint format of every stage."""
    cfg = from_depth(2, vocab, **TINY)
    model = Chimera(cfg)
    model.reset_parameters(seed=seed, std=std)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"config": cfg.to_dict(), "model": model.state_dict(), "step": 0}, path)
    return path


def chat_docs(n_generated: int = 30):
    """The hand-written SFT chats and chats of the pretraining generators (tool dialogues,
    multi-tool, small talk), in the three languages."""
    import random

    from training import align
    from training.data import generators as G

    docs = align.toy_docs()
    i = 0
    while len(docs) < len(align.toy_docs()) + n_generated:
        d = G.generate(random.Random(f"sft-test:{i}"), ("hi", "en", "hinglish")[i % 3])
        i += 1
        if d.messages is not None:
            docs.append(d)
    return docs


class GGUFTemplate:
    """Token ids as a GGUF's runtime makes them: its own chat template (llama-cpp-python's
    Jinja formatter) tokenized by llama.cpp (as in test_chat)."""

    def __init__(self, tmp_path: Path, tok) -> None:
        from training import tokenizer as tok_mod

        self.vocab = tok_mod.LlamaVocab(tok_mod.write_vocab_gguf(tmp_path / "v.gguf", tok))
        llm = self.vocab.llm
        model = llm._model
        self.llm = llm
        self.template = llm.metadata["tokenizer.chat_template"]
        self.bos = model.token_get_text(model.token_bos())
        self.eos = model.token_get_text(model.token_eos())

    def ids(self, messages, tools=None, add_generation_prompt: bool = False) -> list[int]:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        fmt = Jinja2ChatFormatter(self.template, eos_token=self.eos, bos_token=self.bos,
                                  add_generation_prompt=add_generation_prompt)
        res = fmt(messages=messages, tools=tools)
        return self.llm.tokenize(res.prompt.encode("utf-8"), add_bos=not res.added_special,
                                 special=True)

    def close(self) -> None:
        self.vocab.close()
