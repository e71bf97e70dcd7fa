"""Chimera's training corpus: real offline sources, generators and teacher samples.

``python -m training.data --budget-tokens N --out DIR --seed S`` builds token-id shards and
a manifest (see :mod:`training.data.build`); :func:`training.data.corpus.load` reads them.
See training/DATA.md for the mixture.
"""
