"""``python -m training.data``: build the corpus (see :mod:`training.data.build`)."""

from training.data.build import main

main()
