"""Kernel tests run the real Triton kernels: compiled on a CUDA GPU, through Triton's CPU
interpreter everywhere else.

TRITON_INTERPRET is read when a kernel is decorated (at import of its module), so it is set
here, before any test imports the kernels, and modules imported earlier in the session are
reloaded so that they pick it up.
"""

from __future__ import annotations

import importlib
import os
import sys

import pytest
import torch

ON_GPU = torch.cuda.is_available()
if not ON_GPU:
    os.environ["TRITON_INTERPRET"] = "1"
    for _name in ("kernels.attention.triton_fa2", "kernels.ssd.triton_ssd",
                  "kernels.cross_entropy.triton_ce"):
        if _name in sys.modules:
            importlib.reload(sys.modules[_name])

DEVICE = torch.device("cuda" if ON_GPU else "cpu")

gpu = pytest.mark.gpu
needs_gpu = pytest.mark.skipif(not ON_GPU, reason="needs a CUDA GPU")


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
    yield
