"""The Excel round trip of submissions, on the database side.

Templates: `submission_template` (one submission, for anyone who may view it) and
`committee_template` (every submission of a period the user may still edit in an organization's
subtree). The version of each submission is read before its values, so a template can only be
older than the values it shows, never newer: a save in between makes the upload stale, not wrong.

Uploads: `import_workbook` reads the workbook (`assessment.excel`), checks every row against the
submissions it names, and only when nothing at all is wrong saves each changed submission with
`submissions.save_values` inside one outer transaction, so one failure anywhere rolls back
everything. Rows equal to what is stored are not written; a submission without changes is left
alone (its version is not bumped) even when it moved on since the download, since nothing of it
would be overwritten. Submissions the user may not see are "unknown", whether they exist or not.

Indicators counted from records (`services.counted`): templates recount their submissions first,
so the Counted column and the Value of a value that follows its count are the count of now. On
upload, a counted value left empty or at its count (the Counted cell of the row, or the count
stored now) follows the count; any other value is an override and needs the row's override
reason, or the row is an error naming the indicator.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, TypeVar

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from audit import hooks as audit_trail
from organizations.choices import Action
from organizations.models import Organization
from organizations.scope import scope_prefixes

from .. import excel
from ..choices import PeriodStatus
from ..models import IndicatorValue, Period, Submission
from ..selectors import engine_framework
from ..validation import EntryError, clean_value
from . import counted as counting
from . import submissions
from .submissions import EDITABLE, InvalidValues, StaleVersion, WorkflowError

# Ids go to the database in chunks, well under every backend's parameter limit.
CHUNK = 500
T = TypeVar("T")


class TemplateError(Exception):
    """A template that cannot be made (nothing to enter, too many rows); the message is shown."""


class ImportRejected(Exception):
    """An upload with problems; nothing was saved. `problems` are ready to show, by row."""

    def __init__(self, problems: list["Problem"]) -> None:
        super().__init__(_("The workbook was not imported: nothing was saved."))
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    """One problem to show: the row (None: the whole submission), the submission, the code."""

    line: int | None
    submission: str
    code: str
    message: str


@dataclass(frozen=True)
class SavedSubmission:
    submission: Submission
    changed: int


@dataclass
class ImportOutcome:
    saved: list[SavedSubmission]
    unchanged: int

    @property
    def values_changed(self) -> int:
        return sum(s.changed for s in self.saved)


class _Change(NamedTuple):
    """A submission's changed values (code → value and its row) and override reasons (code →
    reason, for counted indicators: empty lets the value follow the count)."""

    submission: Submission
    values: dict[str, tuple[Any, int]]
    overrides: dict[str, str]


class _Stored(NamedTuple):
    """A stored value row as the upload compares with it."""

    value: Any
    counted: Any = None
    override_reason: str = ""


_NOTHING = object()


@dataclass
class _Plan:
    """What an upload would change: per submission the changed values and their rows."""

    changes: dict[int, _Change] = field(default_factory=dict)
    visible: dict[int, Submission] = field(default_factory=dict)
    issues: list[excel.RowIssue] = field(default_factory=list)
    unchanged: int = 0


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def _chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _stored_values(ids: list[int]) -> dict[tuple[int, str], _Stored]:
    """The secretaries' values (not the reviewers' assessments) of these submissions, with what
    was counted and why it was overridden."""
    return {
        (submission_id, code): _Stored(value, counted, reason)
        for submission_id, code, value, counted, reason in IndicatorValue.objects.filter(
            submission_id__in=ids
        ).values_list("submission_id", "indicator__code", "value", "counted", "override_reason")
    }


def _template_row(
    entered: excel.TemplateSubmission, indicator, stored: _Stored | None
) -> excel.TemplateRow:
    if stored is None:
        return excel.TemplateRow(entered, indicator, None)
    return excel.TemplateRow(
        entered, indicator, stored.value, stored.counted, stored.override_reason or ""
    )


def _counts(indicators: Iterable) -> bool:
    return any(indicator.source is not None for indicator in indicators)


class _EntryIndicators:
    """`submissions.entry_indicators` once per subject kind, not once per submission."""

    def __init__(self) -> None:
        self._by_kind: dict[tuple[int, str], list] = {}

    def __call__(self, submission: Submission) -> list:
        key = (submission.period.framework_id, submission.subject_kind)
        if key not in self._by_kind:
            self._by_kind[key] = submissions.entry_indicators(submission)
        return self._by_kind[key]


def _template_submission(submission: Submission) -> excel.TemplateSubmission:
    return excel.TemplateSubmission(submission.pk, submission.version, submission.subject_name)


def submission_template(submission: Submission) -> bytes:
    """The template of one submission with its current values (the caller checked VIEW)."""
    period = submission.period
    indicators = submissions.entry_indicators(submission)
    if _counts(indicators):
        counting.recount_submission(submission)  # as opening its page does
    entered = _template_submission(submission)
    stored = _stored_values([submission.pk])
    rows = (
        _template_row(entered, indicator, stored.get((submission.pk, indicator.code)))
        for indicator in indicators
    )
    return excel.build_workbook(
        excel.Template(
            scope=excel.SINGLE,
            title=_("%(subject)s · %(period)s — values template")
            % {"subject": submission.subject_name, "period": period.display_name},
            framework_code=period.framework.code,
            framework_version=period.framework.version,
            period_id=period.pk,
            submissions=[entered],
            rows=rows,
            lang=_lang(),
            counted=_counts(indicators),
        )
    )


def committee_template(period: Period, *, user, organization: Organization | None = None) -> bytes:
    """Every submission of the period the user may still edit, in the organization's subtree.

    A bounded number of queries: one for the submissions and one per chunk of them for the
    values; rows are streamed into the workbook. Raises TemplateError.
    """
    queryset = Submission.objects.restrict(user, Action.ENTER).filter(
        period=period, state__in=EDITABLE
    )
    if organization is not None:
        queryset = queryset.filter(organization__path__startswith=organization.path)
    found = list(
        queryset.only("pk", "version", "subject_name", "subject_kind", "period_id").order_by(
            "organization__path", "subject_kind", "subject_name", "pk"
        )
    )
    entry = _EntryIndicators()
    for submission in found:
        submission.period = period  # already loaded with its framework: no query per row
    total = sum(len(entry(s)) for s in found)
    where = organization.display_name if organization is not None else _("all organizations")
    if total == 0:
        raise TemplateError(
            _(
                "Nothing can be entered for %(period)s in %(where)s: no draft or returned "
                "submission of yours."
            )
            % {"period": period.display_name, "where": where}
        )
    if total > excel.MAX_DATA_ROWS:
        raise TemplateError(
            _(
                "The template would have %(rows)s rows, more than %(max)s: choose an "
                "organization lower in the tree."
            )
            % {"rows": total, "max": excel.MAX_DATA_ROWS}
        )
    has_counted = any(_counts(entry(s)) for s in found)
    if has_counted:
        counting.recount(period, found)  # set-based: the counts of now, for every submission
    listed = {s.pk: _template_submission(s) for s in found}

    def rows() -> Iterator[excel.TemplateRow]:
        for chunk in _chunks(found):
            stored = _stored_values([s.pk for s in chunk])
            for submission in chunk:
                for indicator in entry(submission):
                    yield _template_row(
                        listed[submission.pk],
                        indicator,
                        stored.get((submission.pk, indicator.code)),
                    )

    return excel.build_workbook(
        excel.Template(
            scope=excel.BULK,
            title=_("%(where)s · %(period)s — values template")
            % {"where": where, "period": period.display_name},
            framework_code=period.framework.code,
            framework_version=period.framework.version,
            period_id=period.pk,
            submissions=list(listed.values()),
            rows=rows(),
            lang=_lang(),
            counted=has_counted,
        )
    )


def import_workbook(data: bytes, *, acting_user) -> ImportOutcome:
    """Check every row of an uploaded template, then save it all or nothing.

    Raises `excel.WorkbookError` for a file that cannot be read at all and `ImportRejected`
    with every problem found; in both cases nothing was saved.
    """
    parsed = excel.read_workbook(data)
    plan = _check(parsed, acting_user)
    if plan.issues:
        raise ImportRejected(_problems(plan.issues, plan.visible))
    return _apply(plan, parsed.meta, acting_user)


def _unknown(submission_id: int | None) -> str:
    return _("Unknown submission %(id)s.") % {"id": submission_id}


def _stale(submission: Submission, then: int, now: int) -> str:
    return _(
        "%(subject)s was changed since the template was downloaded (version %(then)d, now "
        "%(now)d): download a new template and enter the values again."
    ) % {"subject": submission.subject_name, "then": then, "now": now}


def _check(parsed: excel.ParsedWorkbook, user) -> _Plan:
    meta = parsed.meta
    plan = _Plan(issues=list(parsed.issues))
    rows_by_submission: dict[int, list[excel.SheetRow]] = {}
    for row in parsed.rows:
        rows_by_submission.setdefault(row.submission_id, []).append(row)

    # Out of scope and not in the template read alike: existence is never revealed.
    named = [pk for pk in rows_by_submission if pk in meta.versions]
    for chunk in _chunks(named):
        plan.visible.update(
            Submission.objects.restrict(user, Action.VIEW)
            .filter(pk__in=chunk, period_id=meta.period_id)
            .select_related("period__framework", "organization")
            .in_bulk()
        )
    stored: dict[tuple[int, str], _Stored] = {}
    for chunk in _chunks(list(plan.visible)):
        stored.update(_stored_values(chunk))

    entry = _EntryIndicators()
    for submission_id, rows in rows_by_submission.items():
        submission = plan.visible.get(submission_id)
        if submission is None:
            plan.issues.append(excel.RowIssue(rows[0].line, "", _unknown(submission_id)))
            continue
        indicators = {i.code: i for i in entry(submission)}
        computed = {
            i.code
            for i in engine_framework(submission.period.framework).indicators_for(
                submission.subject_kind
            )
        } - indicators.keys()
        changes: dict[str, tuple[Any, int]] = {}
        overrides: dict[str, str] = {}
        for row in rows:
            indicator = indicators.get(row.code)
            if indicator is None:
                message = (
                    _("%(code)s is computed from other indicators and is not entered.")
                    if row.code in computed
                    else _("Unknown indicator code %(code)s for this submission.")
                )
                plan.issues.append(
                    excel.RowIssue(row.line, row.code, message % {"code": row.code}, submission_id)
                )
                continue
            try:
                value = clean_value(indicator, excel.raw_value(indicator, row))
            except EntryError as error:
                plan.issues.append(excel.RowIssue(row.line, row.code, str(error), submission_id))
                continue
            now = stored.get((submission_id, row.code)) or _Stored(None)
            if indicator.source is None:
                if value != now.value:
                    changes[row.code] = (value, row.line)
                continue
            try:
                wanted = _counted_row(indicator, row, value, now, parsed.has_reasons)
            except counting.OverrideRefused as refused:
                plan.issues.append(excel.RowIssue(row.line, row.code, str(refused), submission_id))
                continue
            if wanted != (now.value, now.override_reason or ""):
                # A value that follows the count is sent blank: the save stores the count.
                changes[row.code] = (wanted[0] if wanted[1] else None, row.line)
                overrides[row.code] = wanted[1]
        if not changes:
            plan.unchanged += 1
            continue
        refusal = _refusal(submission, meta.versions[submission_id], user)
        if refusal:
            plan.issues.append(excel.RowIssue(rows[0].line, "", refusal, submission_id))
            continue
        plan.changes[submission_id] = _Change(submission, changes, overrides)
    return plan


def _shown_count(indicator, row: excel.SheetRow) -> Any:
    """The Counted cell of the row as the template showed it, cleaned (_NOTHING: none)."""
    if row.counted is None or row.counted == "":
        return _NOTHING
    try:
        return clean_value(
            indicator,
            excel.raw_value(indicator, replace(row, value=row.counted, percent_format=False)),
        )
    except EntryError:
        return _NOTHING


def _counted_row(
    indicator, row: excel.SheetRow, value: Any, now: _Stored, has_reasons: bool
) -> tuple[Any, str]:
    """(value, override reason) a row of a counted indicator asks for: the count with no reason
    when it is left empty or at its count; else the value with the row's reason (a template
    without the reason column keeps the stored reason of a value it leaves as it is). Raises
    OverrideRefused, naming the indicator, when a different value has no reason."""
    if value is None or value == now.counted or value == _shown_count(indicator, row):
        return now.counted, ""
    kept = (now.override_reason or "") if value == now.value else ""
    reason = row.reason if has_reasons else kept
    if not reason:
        raise counting.OverrideRefused(
            _(
                "%(code)s is counted from records (%(counted)s): enter the counted value, or give "
                "the reason for a different value in the column “%(column)s”."
            )
            % {
                "code": indicator.code,
                "counted": _shown(indicator, now.counted),
                "column": excel.REASON.header,
            }
        )
    if len(reason) > excel.REASON_MAX:
        raise counting.OverrideRefused(
            _("The override reason of %(code)s is longer than %(n)d characters.")
            % {"code": indicator.code, "n": excel.REASON_MAX}
        )
    return value, reason


def _shown(indicator, counted: Any) -> str:
    shown = excel.cell_value(indicator, counted)
    return "—" if shown is None else str(shown)


def _refusal(submission: Submission, version: int, user) -> str | None:
    """Why the changes of a submission cannot be saved, checked before anything is written."""
    if not submissions.can_enter(user, submission):
        return _("You do not enter data for this organization.")
    if submission.state not in EDITABLE:
        return _("Only a draft or a returned submission can be edited; this one is %(state)s.") % {
            "state": submission.get_state_display()
        }
    if submission.period.status != PeriodStatus.OPEN:
        return _("The period is not open.")
    if submission.version != version:
        return _stale(submission, version, submission.version)
    return None


def _apply(plan: _Plan, meta: excel.Meta, user) -> ImportOutcome:
    issues: list[excel.RowIssue] = []
    saved: list[SavedSubmission] = []
    # The entries of every save are appended together at the end (one lock, one insert).
    with transaction.atomic(), audit_trail.batch():
        # In id order, so two uploads touching the same submissions lock them in the same order.
        for submission_id in sorted(plan.changes):
            submission, changes, overrides = plan.changes[submission_id]
            first_line = min(line for _value, line in changes.values())
            try:
                fresh = submissions.save_values(
                    submission,
                    {code: value for code, (value, _line) in changes.items()},
                    version=meta.versions[submission_id],
                    acting_user=user,
                    overrides=overrides,
                )
            except StaleVersion as stale:
                message = _stale(submission, meta.versions[submission_id], stale.current)
                issues.append(excel.RowIssue(first_line, "", message, submission_id))
            except InvalidValues as invalid:
                issues.extend(
                    excel.RowIssue(
                        changes[code][1] if code in changes else first_line,
                        code,
                        message,
                        submission_id,
                    )
                    for code, message in invalid.errors.items()
                )
            except WorkflowError as refused:
                issues.append(excel.RowIssue(first_line, "", str(refused), submission_id))
            else:
                saved.append(SavedSubmission(fresh, len(changes)))
        if issues:
            # Raised inside the block: everything saved above is rolled back.
            raise ImportRejected(_problems(issues, plan.visible))
        audit_trail.workbook_imported(meta.period_id, saved, acting_user=user)
    return ImportOutcome(saved=saved, unchanged=plan.unchanged)


def _problems(issues: list[excel.RowIssue], visible: dict[int, Submission]) -> list[Problem]:
    def label(submission_id: int | None) -> str:
        if submission_id is None:
            return ""
        submission = visible.get(submission_id)
        return f"{submission_id} · {submission.subject_name}" if submission else str(submission_id)

    ordered = sorted(issues, key=lambda i: (i.line is not None, i.line or 0, i.code))
    return [Problem(i.line, label(i.submission_id), i.code, i.message) for i in ordered]


@dataclass
class TemplateChoices:
    """What the upload page offers to download: own open submissions and committee templates."""

    submissions: list[Submission]
    more_submissions: bool
    committees: list[tuple[Period, Organization]]


def template_choices(user, *, limit: int = 20) -> TemplateChoices:
    """Open periods, the roots of the user's ENTER scope, editable submissions: three queries."""
    periods = list(Period.objects.filter(status=PeriodStatus.OPEN).order_by("-start", "kind"))
    prefixes = scope_prefixes(user, Action.ENTER)
    roots = Organization.objects.filter(is_active=True).order_by("path")
    roots = (
        roots.filter(parent__isnull=True) if prefixes is None else roots.filter(path__in=prefixes)
    )
    root_list = list(roots) if periods else []
    found = list(
        Submission.objects.restrict(user, Action.ENTER)
        .filter(state__in=EDITABLE, period__status=PeriodStatus.OPEN)
        .select_related("period", "organization")
        .order_by("period__deadline", "organization__path", "subject_name", "pk")[: limit + 1]
    )
    return TemplateChoices(
        submissions=found[:limit],
        more_submissions=len(found) > limit,
        committees=[(p, o) for p in periods for o in root_list],
    )
