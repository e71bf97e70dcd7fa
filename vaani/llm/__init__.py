"""VAANI's LLM runtime on llama.cpp: GGUF models, chat templates, speculative decoding with
exact rollback for hybrid (Mamba-2 + attention) models, and an OpenAI-compatible server.

``LlamaEngine`` (engine.py) is what the assistant's LLM stage and ``vaani serve`` both use.
"""

from vaani.llm.chat import RequestError
from vaani.llm.engine import Completion, LlamaEngine, Request

__all__ = ["Completion", "LlamaEngine", "Request", "RequestError"]
