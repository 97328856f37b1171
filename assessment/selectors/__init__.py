"""Reads of the assessment app, one module per area; framework reads are re-exported here."""

from .frameworks import (
    FrameworkComparison,
    IndicatorChange,
    compare_frameworks,
    current_framework,
    engine_framework,
    framework_document,
    frameworks,
    indicator_document,
)

__all__ = [
    "FrameworkComparison",
    "IndicatorChange",
    "compare_frameworks",
    "current_framework",
    "engine_framework",
    "framework_document",
    "frameworks",
    "indicator_document",
]
