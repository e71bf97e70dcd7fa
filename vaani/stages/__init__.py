"""Pipeline stages: small synchronous classes with one job each.

Each has ``process(...)`` returning what it produced and ``reset()``; none does I/O, starts
threads or sleeps. The pipeline (vaani/pipeline.py) owns time and concurrency and drives
them.
"""

from vaani.stages.bargein import BargeInDetector
from vaani.stages.clauses import ClauseSplitter
from vaani.stages.endpoint import EndOfTurn, Endpointer, Pause, Resume, VoiceOnset
from vaani.stages.language import LanguageResolver
from vaani.stages.speculative import Discard, Reuse, SpeculativeAsr, Start
from vaani.stages.transcript import TranscriptFilter
from vaani.stages.tts import TtsStage
from vaani.stages.wake import WakeGate, WakeHit

__all__ = [
    "BargeInDetector", "ClauseSplitter", "Discard", "EndOfTurn", "Endpointer",
    "LanguageResolver", "Pause", "Resume", "Reuse", "SpeculativeAsr", "Start",
    "TranscriptFilter", "TtsStage", "VoiceOnset", "WakeGate", "WakeHit",
]
