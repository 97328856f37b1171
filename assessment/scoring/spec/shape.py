"""The shape of a framework file as pydantic models: its keys, types, choices and per-field ranges.

Every model refuses unknown keys and takes a key whose value is null as absent (YAML writes an
empty value as null). A problem is raised as a pydantic error whose type is a code of
``problems.MESSAGES`` (``PydanticCustomError``) or one of pydantic's own (missing, extra_forbidden,
list_type, bool_type, union_tag_*); ``rules`` turns them into ``Problem``s. What depends on
another part of the file (the indicator's value type and direction, the dimensions, the subject
kinds, the weights, the formulas' inputs) is checked in ``rules``.

The document's lists are typed ``tuple[Any, ...]`` here and each item is validated on its own,
so one bad indicator does not hide what the rules would say about the others.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal, NoReturn

from annotated_types import Ge, Gt, Le
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictStr,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from ..formula import FUNCTIONS, KEYWORDS, Formula, FormulaError, compile_formula, finite
from .model import DEFAULT_RECTIFY_BELOW, Direction, Frequency, Text, Unit, ValueType

# Patterns name their message in ``rules`` (an invalid code says which characters are allowed).
CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9._]*$"
NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
_FORMULA_WORDS = FUNCTIONS | KEYWORDS


def _fail(message: str, /, **params: Any) -> NoReturn:
    """Raise the problem ``message`` (a ``MESSAGES`` code) at the place being validated."""
    raise PydanticCustomError(message, message, params)


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        _fail("number")
    if isinstance(value, Decimal):  # a framework read back from decimal columns
        if not value.is_finite():
            _fail("finite")
        value = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, int) and finite(value) is None:  # the engine computes in floats
        _fail("too_large", digits=len(str(abs(value))))
    if not math.isfinite(value):
        _fail("finite")
    return value  # an int stays an int, so a weight of 4 is written back as 4


def _whole(value: float) -> int:
    if value != int(value):
        _fail("whole", value=value)
    return int(value)


def _version(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _not_a_formula_word(value: str) -> str:
    if value in _FORMULA_WORDS:
        _fail("formula_word", code=value)
    return value


def _formula(value: str) -> Formula:
    try:
        return compile_formula(value)
    except FormulaError as exc:
        _fail("formula", error=exc.text)


def _non_empty(message: str) -> AfterValidator:
    def check(items: tuple[Any, ...]) -> tuple[Any, ...]:
        if not items:
            _fail(message)
        return items

    return AfterValidator(check)


Number = Annotated[float, PlainValidator(_number)]
NonNegative = Annotated[Number, Ge(0)]
Positive = Annotated[Number, Gt(0)]
Fraction = Annotated[Number, Ge(0), Le(1)]
Whole = Annotated[Number, AfterValidator(_whole)]
String = Annotated[StrictStr, StringConstraints(pattern=r"\S")]
Code = Annotated[StrictStr, StringConstraints(pattern=CODE_PATTERN)]
NameCode = Annotated[StrictStr, StringConstraints(pattern=NAME_PATTERN)]


def _text(value: object) -> Text:
    if not isinstance(value, Mapping):
        _fail("text_pair")
    problems = [
        InitErrorDetails(
            type=PydanticCustomError("text_language", "text_language", {"lang": lang}),
            loc=(),
            input=value,
        )
        for lang in value
        if lang not in ("zh", "en")
    ]
    texts = {lang: value.get(lang) for lang in ("zh", "en")}
    problems += [
        InitErrorDetails(
            type=PydanticCustomError("text_missing", "text_missing", {"lang": lang}),
            loc=(),
            input=value,
        )
        for lang, text in texts.items()
        if not isinstance(text, str) or not text.strip()
    ]
    if problems:  # several at once, all at the text's own place
        raise ValidationError.from_exception_data("Text", problems)
    return Text(texts["zh"], texts["en"])


TextPair = Annotated[Text, PlainValidator(_text)]
Expr = Annotated[String, AfterValidator(_formula)]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: object) -> object:
        if not isinstance(data, Mapping):
            _fail("mapping")
        return {key: value for key, value in data.items() if value is not None}


# -- rubrics ----------------------------------------------------------------------------------


class LinearShape(_Shape):
    kind: Literal["linear"]
    floor: Number


class BandShape(_Shape):
    """``min`` for direction higher, ``max`` for lower: which one is checked in ``rules``."""

    min: Number | None = None
    max: Number | None = None
    fraction: Fraction


class BandsShape(_Shape):
    kind: Literal["bands"]
    bands: Annotated[tuple[BandShape, ...], _non_empty("needs_band")]


class YesNoShape(_Shape):
    kind: Literal["yes_no"]
    yes: Fraction = 1.0
    no: Fraction = 0.0


class BonusShape(_Shape):
    kind: Literal["bonus"]
    per: Positive
    cap: Positive


class DeductionShape(_Shape):
    kind: Literal["deduction"]
    per: Positive
    floor: NonNegative = 0.0


class VetoShape(_Shape):
    kind: Literal["veto"]
    cap_grade: String = "D"
    cap_stars: Whole = 1


class AppraisalWeights(_Shape):
    excellent: Fraction = 1.0
    competent: Fraction = 0.8
    basic: Fraction = 0.5
    incompetent: Fraction = 0.0


class AppraisalShape(_Shape):
    kind: Literal["appraisal"]
    weights: AppraisalWeights = AppraisalWeights()


class NoneShape(_Shape):
    kind: Literal["none"]


ThenShape = Annotated[LinearShape | BandsShape | YesNoShape, Field(discriminator="kind")]


class FormulaShape(_Shape):
    kind: Literal["formula"]
    expr: Expr
    then: ThenShape


RubricShape = Annotated[
    LinearShape
    | BandsShape
    | YesNoShape
    | BonusShape
    | DeductionShape
    | VetoShape
    | FormulaShape
    | AppraisalShape
    | NoneShape,
    Field(discriminator="kind"),
]


# -- the document -----------------------------------------------------------------------------


class PlausibleShape(_Shape):
    min: Number | None = None
    max: Number | None = None

    @model_validator(mode="after")
    def _a_range(self) -> PlausibleShape:
        if self.min is None and self.max is None:
            _fail("plausible_empty")
        if self.min is not None and self.max is not None and self.min > self.max:
            _fail("plausible_order", low=self.min, high=self.max)
        return self


# -- sources: one model per kind of ``sources.SOURCE_KINDS`` ------------------------------------


MeetingKindCode = NameCode
Category = Literal["ideology", "discipline", "integrity", "safety", "stability", "other"]
SeverityLevel = Literal["minor", "serious", "grave"]


class _NoParams(_Shape):
    pass


class MeetingsSource(_Shape):
    kind: Literal["meetings"]
    meeting_kind: MeetingKindCode


class MonthsWithMeetingsSource(_Shape):
    kind: Literal["months_with_meetings"]
    meeting_kind: MeetingKindCode
    min: Annotated[Whole, Ge(1)] = 1


class _AttendanceSource(_Shape):
    meeting_kinds: tuple[MeetingKindCode, ...] = ()


class AttendanceRateSource(_AttendanceSource):
    kind: Literal["attendance_rate"]


class AttendanceExpectedSource(_AttendanceSource):
    kind: Literal["attendance_expected"]


class AttendancePresentSource(_AttendanceSource):
    kind: Literal["attendance_present"]


class DuesRateSource(_NoParams):
    kind: Literal["dues_on_time_rate"]


class DuesMonthsSource(_NoParams):
    kind: Literal["dues_on_time_months"]


class TalkCoverageSource(_NoParams):
    kind: Literal["talk_coverage"]


class StudyPerMemberSource(_NoParams):
    kind: Literal["study_hours_per_member"]


class StudyHoursSource(_NoParams):
    kind: Literal["study_hours"]


class PointsSource(_NoParams):
    kind: Literal["points"]


class NegativeEventsSource(_Shape):
    kind: Literal["negative_events"]
    category: Category | None = None
    min_severity: SeverityLevel = "minor"


class ClosureRateSource(_NoParams):
    kind: Literal["rectification_closure_rate"]


class SecretaryReportSource(_NoParams):
    kind: Literal["secretary_report"]


SourceShape = Annotated[
    MeetingsSource
    | MonthsWithMeetingsSource
    | AttendanceRateSource
    | AttendanceExpectedSource
    | AttendancePresentSource
    | DuesRateSource
    | DuesMonthsSource
    | TalkCoverageSource
    | StudyPerMemberSource
    | StudyHoursSource
    | PointsSource
    | NegativeEventsSource
    | ClosureRateSource
    | SecretaryReportSource,
    Field(discriminator="kind"),
]


class IndicatorShape(_Shape):
    code: Annotated[Code, AfterValidator(_not_a_formula_word)]
    name: TextPair
    description: TextPair | None = None
    dimension: String
    also: tuple[String, ...] = ()
    applies_to: Annotated[tuple[String, ...], _non_empty("needs_subject_kind")]
    value_type: ValueType
    unit: TextPair | None = None
    direction: Direction = "higher"
    target: Number | None = None
    plausible: PlausibleShape | None = None
    weight: NonNegative
    frequency: Frequency
    evidence_required: StrictBool = False
    assessed: StrictBool = False
    rectify_below: Fraction | None = None
    rubric: RubricShape
    source: SourceShape | None = None


class DimensionShape(_Shape):
    code: Code
    name: TextPair
    description: TextPair | None = None
    children: tuple[DimensionShape, ...] = ()


class AxisShape(_Shape):
    code: NameCode
    name: TextPair
    dimensions: Annotated[tuple[DimensionShape, ...], _non_empty("needs_dimension")]


class SubjectKindShape(_Shape):
    code: NameCode
    unit: Unit
    name: TextPair
    # The grade scale its subjects are graded on (a key of grade_scales); default: grade_bands.
    scale: NameCode | None = None


class GradeBandShape(_Shape):
    grade: String
    min: Number
    name: TextPair


class StarBandShape(_Shape):
    stars: Annotated[Whole, Ge(0)]
    min: Number


class MeetingKindShape(_Shape):
    code: NameCode
    name: TextPair
    applies_to: Annotated[tuple[String, ...], _non_empty("needs_subject_kind")]
    per_month: Annotated[Whole, Ge(0)] = 0
    per_quarter: Annotated[Whole, Ge(0)] = 0
    per_year: Annotated[Whole, Ge(0)] = 0
    party_group: StrictBool = False
    # Who is expected: every party member of the organization that day (members), or those the
    # secretary lists (chosen: a committee's or a party group's members). Default: chosen for a
    # party group's kind, else members.
    roll: Literal["members", "chosen"] | None = None


class DuesBandShape(_Shape):
    group: NameCode = "regular"
    up_to: Positive | None = None
    rate: Fraction


PointsEvent = Literal[
    "meeting_present",
    "meeting_excused",
    "meeting_absent",
    "study_hour",
    "talk",
    "dues_on_time",
    "dues_late",
    "award",
]


class PointsRuleShape(_Shape):
    code: NameCode
    name: TextPair
    per: PointsEvent
    points: Number
    cap: Positive | None = None


class QuotaShape(_Shape):
    """At most ``share`` of the subjects counted under each organization of kind ``per``
    (rounded down, at least one), e.g. one in five of a committee's branches."""

    share: Fraction
    per: NameCode


class CriterionShape(_Shape):
    dimension: Code
    min_share: Fraction | None = None
    required: tuple[Code, ...] = ()


class SevenGoodShape(_Shape):
    """One "seven good" standard: the subject kinds it applies to, its dimension, its criteria."""

    code: NameCode
    title: TextPair
    applies_to: Annotated[tuple[String, ...], _non_empty("needs_subject_kind")]
    dimension: Code
    min_share: Fraction = 0.8
    quota: QuotaShape | None = None
    criteria: Annotated[tuple[CriterionShape, ...], _non_empty("needs_criterion")]


class ChecklistItemShape(_Shape):
    code: NameCode
    name: TextPair
    indicators: Annotated[tuple[Code, ...], _non_empty("needs_indicator")]
    min_fraction: Fraction = 0.8


class StandardizationShape(_Shape):
    """党支部标准化规范化建设: a branch meets it when every item does."""

    applies_to: Annotated[tuple[String, ...], _non_empty("needs_subject_kind")]
    items: Annotated[tuple[ChecklistItemShape, ...], _non_empty("needs_criterion")]


StarCondition = Literal["standardization", "no_veto", "complete"]


class StarQuotaShape(QuotaShape):
    stars: Annotated[Whole, Ge(1)]


class StarsShape(_Shape):
    """星级党支部: stars from the score's star band, gated and limited year to year."""

    applies_to: Annotated[tuple[String, ...], _non_empty("needs_subject_kind")]
    conditions: tuple[StarCondition, ...] = ("standardization", "no_veto", "complete")
    # The most stars a branch failing an entry condition can be given.
    unmet_cap: Annotated[Whole, Ge(0)] = 2
    max_change: Annotated[Whole, Ge(1)] = 1
    quotas: tuple[StarQuotaShape, ...] = ()


FollowUpStep = Literal["talk", "correct", "handle"]


class FollowUpShape(_Shape):
    grade: String
    steps: Annotated[tuple[FollowUpStep, ...], _non_empty("needs_step")]
    within_days: Annotated[Whole, Ge(1)] = 90


class MemberAppraisalShape(_Shape):
    """The democratic appraisal of members: the share of the top grade a branch may give, and
    the follow-up of the lower grades."""

    subject_kind: NameCode
    votes: Code
    top_grade: String
    top_share: Fraction = 1 / 3
    follow_up: tuple[FollowUpShape, ...] = ()


class RatingShape(_Shape):
    code: NameCode
    name: TextPair
    min: Fraction
    value: Annotated[Number, Ge(0), Le(100)]


class ReportVotesShape(_Shape):
    """What each vote of the meeting weighs (好 / 较好 / 一般 / 差), as an appraisal rubric."""

    good: Fraction = 1.0
    fairly_good: Fraction = 0.8
    average: Fraction = 0.5
    poor: Fraction = 0.0


class SecretaryReportsShape(_Shape):
    """述职评议: each secretary of these organizations reports once a year; the meeting's votes,
    weighed by ``votes``, give a proposed rating (the highest whose ``min`` they reach) that the
    committee above confirms or changes; the rating's ``value`` (0-100) is what the source
    ``secretary_report`` counts into the organization's indicator."""

    applies_to: Annotated[tuple[String, ...], _non_empty("needs_subject_kind")]
    ratings: Annotated[tuple[RatingShape, ...], _non_empty("needs_band")]
    votes: ReportVotesShape = ReportVotesShape()


class TermShape(_Shape):
    applies_to: Annotated[tuple[String, ...], _non_empty("needs_subject_kind")]
    years: Annotated[Whole, Ge(1)]
    first_year: Annotated[Whole, Ge(1990)]


class TermsShape(_Shape):
    kinds: Annotated[tuple[TermShape, ...], _non_empty("needs_subject_kind")]
    revenue_growth: Code | None = None
    profit_growth: Code | None = None
    business_grade: Code | None = None
    growth_target: Number = 20


class StandardsShape(_Shape):
    """The standards section: how results are decided and used.

    ``roll_up_units`` weighs the results of an organization's units (its leading group,
    departments, members, staff: subject kinds by code) in the organization's own total before
    it rolls up the tree; none by default, so only the organization's own submission counts.
    """

    seven_good: tuple[SevenGoodShape, ...] = ()
    standardization: StandardizationShape | None = None
    stars: StarsShape | None = None
    member_appraisal: MemberAppraisalShape | None = None
    secretary_reports: SecretaryReportsShape | None = None
    terms: TermsShape | None = None
    roll_up_units: Mapping[NameCode, Fraction] = {}


class RecordsShape(_Shape):
    """The records section: meeting kinds, dues rate bands, member points rules."""

    meeting_kinds: tuple[MeetingKindShape, ...] = ()
    dues_bands: tuple[DuesBandShape, ...] = ()
    dues_minimum: NonNegative = 0.2
    points: tuple[PointsRuleShape, ...] = ()


class DocumentShape(_Shape):
    code: String
    version: Annotated[String, BeforeValidator(_version)]
    name: TextPair
    goal: TextPair
    total_points: Positive
    rectify_below: Fraction = DEFAULT_RECTIFY_BELOW
    grade_bands: Annotated[tuple[Any, ...], _non_empty("needs_band")]
    star_bands: Annotated[tuple[Any, ...], _non_empty("needs_band")]
    subject_kinds: Annotated[tuple[Any, ...], _non_empty("needs_subject_kind")]
    axes: tuple[Any, ...]
    indicators: Annotated[tuple[Any, ...], _non_empty("needs_indicator")]
    records: RecordsShape | None = None
    grade_scales: Mapping[NameCode, tuple[Any, ...]] | None = None
    standards: StandardsShape | None = None
