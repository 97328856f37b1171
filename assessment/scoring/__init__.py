"""The scoring core: pure Python, no Django, no I/O (except ``load_file``).

- ``spec``: the framework as frozen dataclasses and ``parse_framework``, its validator
- ``formula``: the safe expression evaluator behind the ``formula`` rubric
- ``rubrics``: one pure function per rubric kind
- ``engine``: ``score_subject`` and ``score_many``
- ``explain``: the results and rubrics in words (zh / en), and ``what_if`` suggestions
- ``rollup``: an organization's score over its subtree, from plain rows (imported by name)
- ``text``: ``Text``, a text in Chinese and English (names, messages, formula errors)

``tests/scoring/test_pure_core.py`` imports every module here without Django settings and fails
if any of them imports Django.
"""

from .engine import (
    NOT_APPLICABLE,
    DimensionScore,
    IndicatorScore,
    SubjectScore,
    VetoHit,
    score_many,
    score_subject,
)
from .explain import Suggestion, describe_rubric, explain, what_if
from .formula import Formula, FormulaError, FormulaResult, compile_formula, references
from .rubrics import Message, RubricResult
from .spec import (
    AppraisalRubric,
    Axis,
    Band,
    BandsRubric,
    BonusRubric,
    DeductionRubric,
    Dimension,
    FormulaRubric,
    Framework,
    FrameworkError,
    GradeBand,
    Indicator,
    LinearRubric,
    NoneRubric,
    Plausible,
    Rubric,
    StarBand,
    SubjectKind,
    Text,
    VetoRubric,
    YesNoRubric,
    load_file,
    parse_framework,
)

__all__ = [
    "NOT_APPLICABLE",
    "AppraisalRubric",
    "Axis",
    "Band",
    "BandsRubric",
    "BonusRubric",
    "DeductionRubric",
    "Dimension",
    "DimensionScore",
    "Formula",
    "FormulaError",
    "FormulaResult",
    "FormulaRubric",
    "Framework",
    "FrameworkError",
    "GradeBand",
    "Indicator",
    "IndicatorScore",
    "LinearRubric",
    "Message",
    "NoneRubric",
    "Plausible",
    "Rubric",
    "RubricResult",
    "StarBand",
    "SubjectKind",
    "SubjectScore",
    "Suggestion",
    "Text",
    "VetoHit",
    "VetoRubric",
    "YesNoRubric",
    "compile_formula",
    "describe_rubric",
    "explain",
    "load_file",
    "parse_framework",
    "references",
    "score_many",
    "score_subject",
    "what_if",
]
