"""Assessment models, one module per area."""

from .framework import Axis, Dimension, Framework, FrameworkLocked, Indicator
from .notices import Notice, Reminder
from .periods import Period
from .scores import Rollup, RollupSettings, ScoreRun, ScoreRunChunk, SubjectScore
from .submissions import (
    Evidence,
    IndicatorValue,
    StoredFile,
    Submission,
    Transition,
    ValueChange,
)
from .trials import DraftTrial

__all__ = [
    "Axis",
    "Dimension",
    "DraftTrial",
    "Evidence",
    "Framework",
    "FrameworkLocked",
    "Indicator",
    "IndicatorValue",
    "Notice",
    "Period",
    "Reminder",
    "Rollup",
    "RollupSettings",
    "ScoreRun",
    "ScoreRunChunk",
    "StoredFile",
    "SubjectScore",
    "Submission",
    "Transition",
    "ValueChange",
]
