"""VAANI: a Hindi-first voice assistant that runs fully offline."""

__version__ = "0.1.0"
