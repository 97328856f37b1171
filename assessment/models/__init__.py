"""Assessment models, one module per area."""

from .framework import Axis, Dimension, Framework, FrameworkLocked, Indicator

__all__ = ["Axis", "Dimension", "Framework", "FrameworkLocked", "Indicator"]
