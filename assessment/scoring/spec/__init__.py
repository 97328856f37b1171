"""The framework file: its dataclasses, its validator and the errors it reports.

``parse_framework(data)`` turns the dict read from a framework file (docs/framework-format.md is the
authoritative description) into a ``Framework``, or raises ``FrameworkError`` listing every problem
with where it is, e.g. ``indicators[12].rubric.kind (C1.03): unknown rubric kind 'linnear'``, in
English (``errors``) and Chinese (``messages("zh")``).

- ``model``: the frozen dataclasses the engine reads (``Framework``, ``Indicator``, the rubrics)
- ``shape``: the file's shape as pydantic models (keys, types, choices, per-field ranges)
- ``rules``: the checks that span fields, and ``parse_framework``
- ``problems``: ``Problem``, ``FrameworkError`` and every message in both languages
- ``sources``: the kinds of source an indicator can be counted from, and their parameters

Choices the format leaves open, made here:

- ``direction`` may be omitted and is then ``higher``; ``rectify_below`` defaults to 0.6,
  ``evidence_required`` and ``assessed`` to false; ``version`` may be written as a number.
- A key written with no value (null) counts as absent.
- ``unit`` is required for number, percentage and count indicators.
- A scored rubric (everything but bonus, veto and none) needs a weight above 0; a weight of 0 is
  what kind ``none`` is for.
- The rubric must suit the value type: linear, bands and formula score numbers, percentages or
  counts; yes_no a boolean; bonus and deduction a count; veto a boolean or a count; appraisal an
  appraisal; a text indicator can only use ``none``.
- Bands are ordered best first by their limits (strictly) and their fractions never rise.
- A formula may refer only to number, percentage, count, boolean or formula indicators that apply
  to every subject kind the formula applies to.
- ``also`` names dimensions of other axes than the indicator's own dimension.
- The last grade and star band must start at 0 or below, so every total gets a band.
- Codes used as formula names cannot be one of the formula words (min, max, round, abs, if, and,
  or, not).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .model import (
    APPRAISAL_CATEGORIES,
    DEFAULT_RECTIFY_BELOW,
    DIRECTIONS,
    FREQUENCIES,
    RUBRIC_KINDS,
    SCORED_KINDS,
    UNITS,
    VALUE_TYPES,
    AppraisalRubric,
    Axis,
    Band,
    BandsRubric,
    BonusRubric,
    DeductionRubric,
    Dimension,
    DimensionPlace,
    FormulaRubric,
    Framework,
    GradeBand,
    Indicator,
    LinearRubric,
    NoneRubric,
    Plausible,
    Rubric,
    Source,
    StarBand,
    SubjectKind,
    Text,
    VetoRubric,
    YesNoRubric,
)
from .problems import FrameworkError, Problem
from .rules import WEIGHT_TOLERANCE, parse_framework
from .sources import SOURCE_KINDS, SourceKind, describe_source

__all__ = [
    "APPRAISAL_CATEGORIES",
    "DEFAULT_RECTIFY_BELOW",
    "DIRECTIONS",
    "FREQUENCIES",
    "RUBRIC_KINDS",
    "SCORED_KINDS",
    "SOURCE_KINDS",
    "UNITS",
    "VALUE_TYPES",
    "WEIGHT_TOLERANCE",
    "AppraisalRubric",
    "Axis",
    "Band",
    "BandsRubric",
    "BonusRubric",
    "DeductionRubric",
    "Dimension",
    "DimensionPlace",
    "FormulaRubric",
    "Framework",
    "FrameworkError",
    "GradeBand",
    "Indicator",
    "LinearRubric",
    "NoneRubric",
    "Plausible",
    "Problem",
    "Rubric",
    "Source",
    "SourceKind",
    "StarBand",
    "SubjectKind",
    "Text",
    "VetoRubric",
    "YesNoRubric",
    "describe_source",
    "load_file",
    "parse_framework",
]


def load_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML or JSON framework file into a dict (it is not validated here)."""
    import yaml  # PyYAML reads JSON as well; imported here so the engine itself needs no package

    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise FrameworkError([Problem(None, "file_not_mapping", {"path": str(path)})])
    return data
