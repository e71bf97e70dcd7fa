"""Chimera: VAANI's own language model, built from scratch (tokenizer, data, model, export).

Each step is a flat script run as ``python -m training.<step>``; see training/DATA.md for
the tokenizer and the corpus, and the step modules' docstrings for the rest. Nothing in
here is imported by the runtime (``vaani/`` must not import torch).
"""
