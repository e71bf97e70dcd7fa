"""Sample from Chimera, from a PyTorch checkpoint or a GGUF, to eyeball what it learned.

    python -m training.sample --ckpt runs/chimera/ckpt.pt --prompt "आज मौसम"
    python -m training.sample --gguf models/chimera/chimera-q4_k_m.gguf --chat "What time is it?"

``--chat`` wraps the text as one user turn with the GGUF's own chat template (through
llama-cpp-python), or with training.chat's formatter for a checkpoint.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def sample_ckpt(ckpt: Path, prompt: str, max_new: int, temperature: float, chat: bool) -> str:
    import torch

    from training import tokenizer as tok_mod
    from training.export import load_checkpoint_model

    tok = tok_mod.load()
    model = load_checkpoint_model(ckpt)
    if chat:
        from training import chat as chat_mod

        ids = chat_mod.encode_prompt([{"role": "user", "content": prompt}], tok)
    else:
        ids = tok.encode(prompt)
    out = model.generate(torch.tensor([ids]), max_new, temperature=temperature, top_k=50,
                         stop=set(getattr(tok, "stop_ids", []) or []))
    return tok.decode(out[0].tolist())


def sample_gguf(path: Path, prompt: str, max_new: int, temperature: float, chat: bool) -> str:
    from training.eval import load_llama

    llm = load_llama(path, n_ctx=1024, threads=2)
    if chat:
        r = llm.create_chat_completion([{"role": "user", "content": prompt}],
                                       max_tokens=max_new, temperature=temperature)
        text = r["choices"][0]["message"]["content"]
    else:
        r = llm.create_completion(prompt, max_tokens=max_new, temperature=temperature)
        text = r["choices"][0]["text"]
    llm.close()
    return text


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.sample", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--ckpt", type=Path)
    src.add_argument("--gguf", type=Path)
    txt = p.add_mutually_exclusive_group(required=True)
    txt.add_argument("--prompt", help="raw text to continue")
    txt.add_argument("--chat", help="a user message, formatted with the chat template")
    p.add_argument("--max-new", type=int, default=80)
    p.add_argument("--temperature", type=float, default=0.0)
    a = p.parse_args(argv)
    text = a.chat if a.chat is not None else a.prompt
    fn = sample_ckpt if a.ckpt else sample_gguf
    print(fn(a.ckpt or a.gguf, text, a.max_new, a.temperature, a.chat is not None))


if __name__ == "__main__":
    main()
