"""Reads for the submission page: the entry form's rows, live points, history and what changed.

`entry_page` gathers everything the page shows in a fixed number of queries whatever the size of
the framework: the stored values, the evidence, the subject's own approved values of earlier
periods (for the data-quality flags), the transitions and the value history, one query each.
Scores are computed on the fly with the pure engine from the effective values (or from what the
user is typing); nothing is stored here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from organizations.choices import Action
from organizations.scope import can

from .. import sources
from ..choices import PeriodStatus, SubjectUnit, SubmissionState
from ..models import Evidence, IndicatorValue, Submission, Transition, ValueChange
from ..scoring import spec as engine
from ..scoring.engine import IndicatorScore, SubjectScore, score_subject
from ..scoring.explain import describe_rubric
from ..services.submissions import EDITABLE, StaleVersion, can_enter, can_review
from ..validation import (
    APPRAISAL_KEYS,
    NOT_APPLICABLE,
    EntryError,
    check_computed,
    clean_value,
    quality_flags,
)
from .frameworks import engine_framework

REOPENABLE = (SubmissionState.SUBMITTED, SubmissionState.APPROVED, SubmissionState.LOCKED)
# Rubrics where "not applicable" is a sensible answer; for bonus, deduction and veto indicators
# it would only be a way round the rule, for formulas it is worked out from their inputs.
NA_KINDS = frozenset({"linear", "bands", "yes_no", "appraisal"})
REVIEW_STATES = (SubmissionState.RETURNED, SubmissionState.APPROVED)


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def scoped_submissions(user, action: str = Action.VIEW) -> QuerySet[Submission]:
    """Submissions the user may act on, with what the page header needs."""
    return Submission.objects.restrict(user, action).select_related(
        "period__framework", "organization__kind"
    )


def scoped_evidence(user, action: str = Action.VIEW) -> QuerySet[Evidence]:
    return Evidence.objects.restrict(user, action).select_related(
        "submission__period", "submission__organization"
    )


@dataclass(frozen=True)
class Actions:
    """What the user may do on the page now."""

    can_edit: bool
    can_assess: bool
    can_decide: bool
    can_reopen: bool

    @property
    def mode(self) -> str:
        """enter (the secretary's form), assess (the reviewer's judgements) or read."""
        if self.can_edit:
            return "enter"
        if self.can_assess:
            return "assess"
        return "read"


def page_actions(user, submission: Submission, *, has_judgements: bool = True) -> Actions:
    period_open = submission.period.status == PeriodStatus.OPEN
    submitted = submission.state == SubmissionState.SUBMITTED
    decide = submitted and can_review(user, submission)
    return Actions(
        can_edit=period_open and submission.state in EDITABLE and can_enter(user, submission),
        can_assess=decide and period_open and has_judgements,
        can_decide=decide,
        can_reopen=submission.state in REOPENABLE
        and can(user, Action.MANAGE, submission.organization),
    )


@dataclass
class TypedInput:
    """One indicator's input as shown in the form: typed by the user or from the stored value.

    `raw` is what `clean_value` receives: text, the votes of an appraisal, "n/a" or None.
    """

    text: str = ""
    votes: dict[str, str] = field(default_factory=dict)
    na: bool = False
    reason: str = ""
    # For an indicator counted from records: why the typed value replaces the counted one.
    override_reason: str = ""

    def raw(self, value_type: str) -> Any:
        if self.na:
            return NOT_APPLICABLE
        if value_type == "appraisal":
            if not any(v.strip() for v in self.votes.values()):
                return None
            return {k: v.strip() for k, v in self.votes.items() if k in APPRAISAL_KEYS}
        return self.text

    @classmethod
    def of(cls, indicator: engine.Indicator, value: Any, reason: str = "") -> TypedInput:
        """The input showing a stored value."""
        if value == NOT_APPLICABLE:
            text = NOT_APPLICABLE if indicator.value_type == "boolean" else ""
            return cls(text=text, na=True, reason=reason)
        if indicator.value_type == "appraisal" and isinstance(value, dict):
            return cls(votes={k: str(value.get(k, "")) for k in APPRAISAL_KEYS}, reason=reason)
        if isinstance(value, bool):
            return cls(text="yes" if value else "no", reason=reason)
        if isinstance(value, int | float):
            return cls(text=_num(value), reason=reason)
        return cls(text="" if value is None else str(value), reason=reason)


@dataclass
class Conflict:
    """A change someone else saved after the version the user started from."""

    code: str
    name: str
    old: str
    new: str
    by: str
    at: Any
    kept_yours: bool = False


@dataclass
class ValueDiff:
    code: str
    name: str
    before: str
    now: str


@dataclass
class EntryRow:
    """One indicator on the page: what it is, its input, its points and its evidence."""

    index: int
    indicator: engine.Indicator
    name: str
    unit: str
    rubric: str
    description: str
    target_text: str
    formula: bool
    na_allowed: bool
    input: TypedInput
    value_text: str
    points: IndicatorScore
    points_text: str
    self_text: str = ""
    reviewed_text: str = ""
    review_reason: str = ""
    messages: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    error: str = ""
    conflict: Conflict | None = None
    evidence: list[Evidence] = field(default_factory=list)
    history: list[ValueChange] = field(default_factory=list)
    # Copied from the last approved period and not yet confirmed or changed by the secretary.
    copied: bool = False
    # Whether the row still lacks a value, or required evidence (what the section index counts).
    needs_value: bool = False
    needs_evidence: bool = False
    # An indicator counted from records: what it counts, the counted value and when, the
    # secretary's override (value in `self_text`) and reason, the records behind it.
    counted: bool = False
    source_text: str = ""
    counted_text: str = ""
    counted_at: Any = None
    overridden: bool = False
    override_reason: str = ""
    differs: bool = False
    records: list[sources.RecordLink] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def required(self) -> bool:
        """A row the secretary fills (a formula is computed, a count comes from records)."""
        return not self.formula

    @property
    def filled(self) -> bool:
        return self.required and not self.needs_value and not self.needs_evidence

    @property
    def vote_inputs(self) -> list[tuple[str, str, str]]:
        """(key, label, typed value) of an appraisal's five inputs."""
        labels = {
            "voters": _("Voters"),
            "excellent": _("Excellent"),
            "competent": _("Competent"),
            "basic": _("Basic"),
            "incompetent": _("Incompetent"),
        }
        return [(key, labels[key], self.input.votes.get(key, "")) for key in APPRAISAL_KEYS]

    @property
    def dom_id(self) -> str:
        # Codes hold dots, which CSS selectors (and so htmx targets) would need escaped.
        return f"ind-{self.index}"


@dataclass
class Group:
    """The indicators of one dimension; `axis` is set on the first group of each axis."""

    code: str
    title: str
    depth: int
    axis: str | None
    rows: list[EntryRow]
    section: str = ""  # the code of the top dimension it belongs to


@dataclass
class Section:
    """A top dimension of the framework in the form's index: where it is and how full."""

    code: str
    name: str
    anchor: str
    filled: int = 0
    required: int = 0


@dataclass
class MissingItem:
    """One thing that keeps the form from being submitted, with the field it points to."""

    text: str
    anchor: str = ""


@dataclass
class Total:
    points: float
    max: float
    grade: str | None
    grade_name: str
    stars: int | None
    vetoed: bool
    bonus: float = 0.0  # within `points`, on top of `max`
    vetoes: tuple[tuple[str, str], ...] = ()  # (code, name) of each veto that fired

    @property
    def base(self) -> float:
        return round(self.points - self.bonus, 2)

    @property
    def star_symbols(self) -> str:
        return "★" * (self.stars or 0)


@dataclass
class EntryPage:
    submission: Submission
    actions: Actions
    subject_kind_name: str
    total: Total
    groups: list[Group]
    rows: list[EntryRow]
    overdue: bool = False
    transitions: list[Transition] = field(default_factory=list)
    last_return: Transition | None = None
    since: Transition | None = None
    since_changes: list[ValueDiff] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    missing: list[MissingItem] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    copyable: int = 0
    other_errors: list[str] = field(default_factory=list)
    history_count: int = 0

    @property
    def mode(self) -> str:
        return self.actions.mode

    @property
    def subject_name(self) -> str:
        """An organization's name in the active language; other subjects by their own name."""
        if self.submission.subject_unit == SubjectUnit.ORGANIZATION:
            return self.submission.organization.display_name
        return self.submission.subject_name

    @property
    def has_judgements(self) -> bool:
        return any(r.indicator.assessed for r in self.rows)

    @property
    def filled(self) -> int:
        return sum(s.filled for s in self.sections)

    @property
    def required(self) -> int:
        return sum(s.required for s in self.sections)

    @property
    def copied_rows(self) -> list[EntryRow]:
        return [r for r in self.rows if r.copied]


def _num(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def value_text(indicator: engine.Indicator, value: Any, lang: str) -> str:
    """A stored or computed value in words, for reading."""
    if value is None or value == "":
        return "—"
    if value == NOT_APPLICABLE:
        return _("Not applicable")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        return _(
            "%(voters)s voters: %(excellent)s excellent, %(competent)s competent, "
            "%(basic)s basic, %(incompetent)s incompetent"
        ) % {k: value.get(k, 0) for k in APPRAISAL_KEYS}
    if isinstance(value, int | float):
        unit = indicator.unit.get(lang) if indicator.unit is not None else ""
        if indicator.value_type == "percentage" or unit == "%":
            return f"{_num(value)}%"
        if not unit:
            return _num(value)
        return f"{_num(value)}{unit}" if lang == "zh" else f"{_num(value)} {unit}"
    return str(value)


def _points_text(result: IndicatorScore | None) -> str:
    if result is None:
        return ""
    if result.not_applicable:
        return _("not applicable")
    if result.kind == "none":
        return _("not scored")
    if result.kind == "veto":
        return _("veto triggered") if result.triggered else _("no veto")
    if result.kind == "bonus":
        return _("+%(points)s of at most %(max)s") % {
            "points": _num(round(result.points, 2)),
            "max": _num(round(result.max, 2)),
        }
    return _("%(points)s / %(max)s") % {
        "points": _num(round(result.points, 2)),
        "max": _num(round(result.max, 2)),
    }


def _person(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def _stored_rows(submission: Submission) -> dict[str, IndicatorValue]:
    return {
        row.indicator.code: row
        for row in IndicatorValue.objects.filter(submission=submission).select_related("indicator")
    }


def earlier_values(submission: Submission, codes: Iterable[str]) -> dict[str, list[float]]:
    """The subject's own approved numeric values of earlier periods, per indicator code.

    One query for all indicators; indicators are matched by code across framework versions.
    """
    return {
        code: [value for _label, value in pairs]
        for code, pairs in earlier_approved(submission, codes, numeric=True).items()
    }


def earlier_approved(
    submission: Submission, codes: Iterable[str], *, numeric: bool = False
) -> dict[str, list[tuple[str, Any]]]:
    """(period name, effective value) of the subject's approved earlier periods, oldest first.

    One query for all indicators, matched by code across framework versions; `numeric` keeps
    only numbers (for the plausibility flags), otherwise every stored value but blanks.
    """
    lang = _lang()
    rows = (
        IndicatorValue.objects.filter(
            submission__subject_kind=submission.subject_kind,
            submission__organization_id=submission.organization_id,
            submission__leading_group_id=submission.leading_group_id,
            submission__department_id=submission.department_id,
            submission__person_id=submission.person_id,
            submission__state__in=(SubmissionState.APPROVED, SubmissionState.LOCKED),
            submission__period__start__lt=submission.period.start,
            indicator__code__in=list(codes),
        )
        .order_by("submission__period__start")
        .values_list(
            "indicator__code",
            "value",
            "reviewed_value",
            "submission__period__name",
            "submission__period__name_en",
        )
    )
    history: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for code, value, reviewed, name, name_en in rows:
        effective = reviewed if reviewed is not None else value
        label = name_en if lang == "en" else name
        if not numeric and effective is not None:
            history[code].append((label, effective))
        elif isinstance(effective, int | float) and not isinstance(effective, bool):
            history[code].append((label, float(effective)))
    return history


def _effective(
    stored: Mapping[str, IndicatorValue], cleaned: Mapping[str, Any], reviewed: bool
) -> dict[str, Any]:
    """The values as they would count if what is typed were saved (see `save_values`)."""
    values = {code: row.effective for code, row in stored.items()}
    for code, value in cleaned.items():
        row = stored.get(code)
        if reviewed:
            own = row.value if row is not None else None
            values[code] = value if value is not None else own
        elif row is None or row.reviewed_value is None:
            values[code] = value
    return values


def _clean_typed(
    spec: engine.Framework, typed: Mapping[str, TypedInput]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Run the same checks the save runs; a value that fails counts as missing meanwhile."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for code, entry in typed.items():
        try:
            indicator = spec.indicator(code)
        except KeyError:
            continue
        try:
            cleaned[code] = clean_value(indicator, entry.raw(indicator.value_type))
        except EntryError as exc:
            errors[code] = str(exc)
            cleaned[code] = None
    return cleaned, errors


def _merge_stale(
    spec: engine.Framework,
    stale: StaleVersion,
    typed: dict[str, TypedInput],
    stored: Mapping[str, IndicatorValue],
    reviewed: bool,
    lang: str,
) -> list[Conflict]:
    """Who changed what meanwhile; the user's inputs for those indicators are settled here.

    Where the user left an indicator as it was when they opened the page, the other person's
    value is shown instead; where both changed it, the user's typed value stays, marked, so that
    saving again is a deliberate choice made with the other value in view.
    """
    field_name = "reviewed_value" if reviewed else "value"
    base: dict[str, Any] = {}
    conflicts = []
    for change in stale.changes:
        code = change.indicator.code
        try:
            indicator = spec.indicator(code)
        except KeyError:
            continue
        if change.field == field_name:
            base.setdefault(code, change.old)
        conflicts.append(
            Conflict(
                code=code,
                name=indicator.name.get(lang),
                old=value_text(indicator, change.old, lang),
                new=value_text(indicator, change.new, lang),
                by=_person(change.changed_by),
                at=change.changed_at,
            )
        )
    for code, old in base.items():
        indicator = spec.indicator(code)
        entry = typed.get(code)
        if entry is None:
            continue
        try:
            mine = clean_value(indicator, entry.raw(indicator.value_type))
        except EntryError:
            mine = entry  # an invalid input is certainly the user's own change
        row = stored.get(code)
        if mine == old:
            current = getattr(row, field_name) if row is not None else None
            reason = row.review_reason if (row is not None and reviewed) else entry.reason
            typed[code] = TypedInput.of(indicator, current, reason)
        else:
            for conflict in conflicts:
                if conflict.code == code:
                    conflict.kept_yours = True
    return conflicts


def _since_last_review(
    spec: engine.Framework,
    transitions: list[Transition],
    stored: Mapping[str, IndicatorValue],
    codes: list[str],
    lang: str,
) -> tuple[Transition | None, list[ValueDiff]]:
    """Effective values that differ from the snapshot of the last return or approval."""
    last = next((t for t in reversed(transitions) if t.to_state in REVIEW_STATES), None)
    if last is None:
        return None, []
    now = {code: row.effective for code, row in stored.items()}
    diffs = []
    for code in codes:
        before, after = last.values.get(code), now.get(code)
        if before != after:
            indicator = spec.indicator(code)
            diffs.append(
                ValueDiff(
                    code,
                    indicator.name.get(lang),
                    value_text(indicator, before, lang),
                    value_text(indicator, after, lang),
                )
            )
    return last, diffs


def _total(spec: engine.Framework, score: SubjectScore, lang: str) -> Total:
    grade_name = ""
    if score.grade is not None:
        try:
            grade_name = spec.grade_band(score.grade).name.get(lang)
        except KeyError:
            grade_name = ""
    return Total(
        points=round(score.total, 2),
        max=round(score.max, 2),
        grade=score.grade,
        grade_name=grade_name,
        stars=score.stars,
        vetoed=bool(score.vetoes),
        bonus=round(score.bonus, 2),
        vetoes=tuple((hit.code, spec.indicator(hit.code).name.get(lang)) for hit in score.vetoes),
    )


def _groups(spec: engine.Framework, rows: list[EntryRow], lang: str) -> list[Group]:
    by_dimension: dict[str, list[EntryRow]] = defaultdict(list)
    for row in rows:
        by_dimension[row.indicator.dimension].append(row)
    axis_names = {axis.code: axis.name.get(lang) for axis in spec.axes}
    groups: list[Group] = []
    last_axis = None
    for place in spec.dimension_places():
        members = by_dimension.get(place.dimension.code)
        if not members:
            continue
        chain = [place.dimension]
        parent = place.parent
        while parent is not None:
            up = spec.place(parent)
            chain.append(up.dimension)
            parent = up.parent
        title = " › ".join(f"{d.code} {d.name.get(lang)}" for d in reversed(chain))
        groups.append(
            Group(
                code=place.dimension.code,
                title=title,
                depth=place.depth,
                axis=axis_names.get(place.axis) if place.axis != last_axis else None,
                rows=members,
                section=chain[-1].code,
            )
        )
        last_axis = place.axis
    return groups


def _sections(spec: engine.Framework, groups: list[Group], lang: str) -> list[Section]:
    """The top dimensions in the order of the form, each with its filled and required rows."""
    sections: dict[str, Section] = {}
    for number, group in enumerate(groups, start=1):
        section = sections.get(group.section)
        if section is None:
            top = spec.place(group.section).dimension
            section = sections[group.section] = Section(
                code=top.code, name=top.name.get(lang), anchor=f"dim-{number}"
            )
        section.required += sum(1 for r in group.rows if r.required)
        section.filled += sum(1 for r in group.rows if r.filled)
    return list(sections.values())


def _missing_items(missing: list[str], rows: list[EntryRow]) -> list[MissingItem]:
    """The service's "C1.01 name: what" lines, each linked to its indicator's field."""
    items = []
    for text in missing:
        row = next((r for r in rows if text.startswith(f"{r.code} ")), None)
        items.append(MissingItem(text, _field_anchor(row) if row is not None else ""))
    return items


def _field_anchor(row: EntryRow) -> str:
    """The id of the input to jump to: the value, the file input for evidence, else the row."""
    if row.formula or row.counted:
        return row.dom_id
    if row.needs_evidence and not row.needs_value:
        return f"{row.dom_id}-file"
    return f"{row.dom_id}-{'voters' if row.indicator.value_type == 'appraisal' else 'v'}"


def _row(
    index: int,
    indicator: engine.Indicator,
    stored: IndicatorValue | None,
    result: IndicatorScore,
    reviewed: bool,
    lang: str,
) -> EntryRow:
    """One indicator as stored and scored; the input shows the stored value of the form's field."""
    own = stored.value if stored is not None else None
    their = stored.reviewed_value if stored is not None else None
    reason = stored.review_reason if stored is not None else ""
    counted = stored.counted if stored is not None else None
    override = stored.override_reason if stored is not None else ""
    sourced = indicator.source is not None
    if reviewed:
        entry = TypedInput.of(indicator, their if their is not None else own, reason)
    elif sourced:
        # The override input holds a value only while one is overridden: blank follows the count.
        entry = TypedInput.of(indicator, own if override else None)
        entry.override_reason = override
    else:
        entry = TypedInput.of(indicator, own)
    formula = indicator.kind == "formula"
    shown = result.value if formula else (stored.effective if stored is not None else None)
    target = indicator.target
    return EntryRow(
        index=index,
        indicator=indicator,
        name=indicator.name.get(lang),
        unit=indicator.unit.get(lang) if indicator.unit is not None else "",
        rubric=describe_rubric(indicator, lang),
        description=indicator.description.get(lang) if indicator.description else "",
        target_text=value_text(indicator, target, lang) if target is not None else "",
        formula=formula,
        na_allowed=indicator.kind in NA_KINDS and not sourced,
        input=entry,
        value_text=value_text(indicator, shown, lang),
        self_text=value_text(indicator, own, lang),
        reviewed_text=value_text(indicator, their, lang) if their is not None else "",
        review_reason=reason,
        points=result,
        points_text=_points_text(result),
        messages=[m.text(lang) for m in result.messages if m.code not in ("missing", "invalid")],
        counted=sourced,
        source_text=engine.describe_source(indicator.source, lang) if sourced else "",
        counted_text=value_text(indicator, counted, lang) if sourced else "",
        counted_at=stored.counted_at if stored is not None else None,
        overridden=bool(override),
        override_reason=override,
        differs=sourced and stored is not None and own != counted,
    )


def entry_page(
    submission: Submission,
    user,
    *,
    typed: Mapping[str, TypedInput] | None = None,
    reviewed: bool = False,
    errors: Mapping[str, str] | None = None,
    stale: StaleVersion | None = None,
    missing: list[str] | None = None,
    full: bool = True,
) -> EntryPage:
    """Everything the submission page shows.

    `typed` are the user's inputs (on a failed save, or while typing): they are shown instead of
    the stored values and scored live. `reviewed` says they are a reviewer's assessments of the
    judgement indicators. `full=False` leaves out history and transitions (for live points).
    """
    lang = _lang()
    spec = engine_framework(submission.period.framework)
    indicators = spec.indicators_for(submission.subject_kind)
    codes = [i.code for i in indicators]
    stored = _stored_rows(submission)
    typed = dict(typed or {})
    conflicts = _merge_stale(spec, stale, typed, stored, reviewed, lang) if stale else []
    cleaned, field_errors = _clean_typed(spec, typed)
    if not reviewed:  # a counted indicator left blank follows its count, as the save does
        for code, value in cleaned.items():
            if value is None and code not in field_errors and spec.indicator(code).source:
                cleaned[code] = stored[code].counted if code in stored else None
    values = _effective(stored, cleaned, reviewed)
    if typed:  # the save's own check, live: a rate the typed values would push above 100 %
        field = "reviewed_value" if reviewed else "value"
        changed = {
            code
            for code, value in cleaned.items()
            if code not in field_errors
            and value != (getattr(stored[code], field) if code in stored else None)
        }
        computed_errors = check_computed(spec, submission.subject_kind, values, changed)
        field_errors = computed_errors | field_errors
    field_errors.update(errors or {})
    score = score_subject(spec, submission.subject_kind, values)
    earlier = earlier_approved(submission, [i.code for i in indicators if i.kind != "formula"])
    actions = page_actions(user, submission, has_judgements=any(i.assessed for i in indicators))

    evidence: dict[str, list[Evidence]] = defaultdict(list)
    changes: dict[str, list[ValueChange]] = defaultdict(list)
    transitions: list[Transition] = []
    if full:
        for item in (
            Evidence.objects.filter(submission=submission)
            .select_related("indicator")
            .order_by("uploaded_at", "id")
        ):
            evidence[item.indicator.code].append(item)
        for change in ValueChange.objects.filter(submission=submission).select_related(
            "indicator", "changed_by"
        ):
            changes[change.indicator.code].append(change)
        transitions = list(
            Transition.objects.filter(submission=submission)
            .select_related("by")
            .order_by("at", "id")
        )

    rows = []
    for index, indicator in enumerate(indicators):
        code = indicator.code
        row = _row(index, indicator, stored.get(code), score.indicator(code), reviewed, lang)
        if code in typed:
            row.input = typed[code]
        numeric = [
            (label, v)
            for label, v in earlier.get(code, [])
            if isinstance(v, int | float) and not isinstance(v, bool)
        ]
        row.flags = (
            quality_flags(
                indicator,
                row.points.value,
                [float(v) for _label, v in numeric],
                [label for label, _v in numeric],
            )
            if not row.points.not_applicable
            else []
        )
        stored_row = stored.get(code)
        row.copied = stored_row is not None and stored_row.copied
        row.needs_value = not row.formula and values.get(code) is None
        row.needs_evidence = (
            full
            and not row.formula
            and indicator.evidence_required
            and values.get(code) not in (None, NOT_APPLICABLE)
            and not evidence.get(code)
            and (indicator.source is None or bool(stored_row and stored_row.override_reason))
        )
        row.error = field_errors.get(code, "")
        row.conflict = next((c for c in conflicts if c.code == code and c.kept_yours), None)
        row.evidence = evidence.get(code, [])
        row.history = changes.get(code, [])
        if full and indicator.source is not None:
            row.records = sources.behind(submission, indicator)
        for change in row.history:
            change.old_text = value_text(indicator, change.old, lang)
            change.new_text = value_text(indicator, change.new, lang)
        rows.append(row)

    since, since_changes = _since_last_review(
        spec, transitions, stored, [i.code for i in indicators if i.kind != "formula"], lang
    )
    last = transitions[-1] if transitions else None
    groups = _groups(spec, rows, lang)
    copyable = 0
    if full and actions.can_edit:
        from ..services.copy_values import copyable as may_copy  # the service reads this module

        copyable = sum(
            1
            for i in indicators
            if may_copy(i) and values.get(i.code) is None and earlier.get(i.code)
        )
    try:
        kind_name = spec.subject_kind(submission.subject_kind).name.get(lang)
    except KeyError:
        kind_name = submission.subject_kind
    return EntryPage(
        submission=submission,
        actions=actions,
        subject_kind_name=kind_name,
        total=_total(spec, score, lang),
        groups=groups,
        sections=_sections(spec, groups, lang),
        copyable=copyable,
        rows=rows,
        overdue=submission.state in EDITABLE and timezone.localdate() > submission.period.deadline,
        transitions=transitions,
        last_return=last
        if last is not None and last.to_state == SubmissionState.RETURNED
        else None,
        since=since,
        since_changes=since_changes,
        conflicts=conflicts,
        missing=_missing_items(list(missing or []), rows),
        other_errors=[msg for code, msg in field_errors.items() if code not in codes],
        history_count=sum(len(v) for v in changes.values()),
    )
