"""Reads behind the work lists: a secretary's to-do list, a reviewer's queue, completeness per
subtree, a user's notices and the periods list.

Every function starts from a queryset restricted to the user's scope and costs a fixed number of
queries whatever the number of rows or organizations. The queue's score and warning columns are
worked out by the pure engine from the stored values (`queue_facts`), never stored.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, StrIndex, Substr

from organizations.choices import Action
from organizations.models import Organization
from organizations.scope import scope_prefixes

from ..choices import PeriodStatus, SubjectUnit, SubmissionState
from ..models import (
    Evidence,
    IndicatorValue,
    Notice,
    Period,
    SubjectScore,
    Submission,
    Transition,
)
from ..scoring import score_subject
from ..validation import quality_flags
from .frameworks import engine_framework

EDITABLE = (SubmissionState.DRAFT, SubmissionState.RETURNED)
SUBMITTED_OR_LATER = (SubmissionState.SUBMITTED, SubmissionState.APPROVED, SubmissionState.LOCKED)
APPROVED_OR_LATER = (SubmissionState.APPROVED, SubmissionState.LOCKED)


def _last_return() -> QuerySet[Transition]:
    """The latest step back to "returned" (a reviewer's return or an administrator's reopen)."""
    return Transition.objects.filter(
        submission=OuterRef("pk"), to_state=SubmissionState.RETURNED
    ).order_by("-at", "-id")


def my_open_submissions(user) -> QuerySet[Submission]:
    """What a secretary still has to do: submissions they can enter in open periods.

    Approved and locked ones are done and left out. Returned ones come first, with the reason and
    the reviewer of their latest return (correlated subqueries: no query per row), then the rest
    by deadline; submitted ones (waiting for review) come last.
    """
    last_return = _last_return()
    return (
        Submission.objects.restrict(user, Action.ENTER)
        .filter(period__status=PeriodStatus.OPEN)
        .exclude(state__in=APPROVED_OR_LATER)
        .select_related("period", "organization")
        .annotate(
            return_reason=Subquery(last_return.values("reason")[:1]),
            returned_by=Subquery(last_return.values("by__username")[:1]),
            returned_at=Subquery(last_return.values("at")[:1]),
            state_rank=Case(
                When(state=SubmissionState.RETURNED, then=Value(0)),
                When(state=SubmissionState.DRAFT, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("state_rank", "period__deadline", "organization__path", "subject_name", "pk")
    )


def reviewable_submissions(user) -> QuerySet[Submission]:
    """Submissions the user may return or approve: `services.submissions.can_review` as a query.

    A reviewer acts on their grant roots' subtrees, except on the organization subjects of those
    roots themselves (an organization never approves its own submission).
    """
    prefixes = scope_prefixes(user, Action.REVIEW)
    queryset = Submission.objects.restrict(user, Action.REVIEW)
    if prefixes:
        queryset = queryset.exclude(
            subject_unit=SubjectUnit.ORGANIZATION, organization__path__in=prefixes
        )
    return queryset


def state_counts(queryset: QuerySet[Submission]) -> dict[str, int]:
    """How many submissions of `queryset` are in each state, every state present (one query)."""
    counts = dict.fromkeys(SubmissionState.values, 0)
    counts.update(
        queryset.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    return counts


# The review order: the nearest deadline first, then the longest waiting.
QUEUE_ORDER = ("period__deadline", "submitted_at", "organization__path", "subject_name", "pk")
# The queue's columns a reviewer may sort by, with what orders them in the database; the score
# and the warnings are the engine's, ordered in Python (`queue_order`).
DATABASE_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("subject_name", "organization__path"),
    "kind": ("subject_kind", "subject_name"),
    "period": ("period__deadline", "period__start"),
    "evidence": ("evidence_count",),
    # Days waiting: fewer days first is the later submission first.
    "waiting": ("-submitted_at",),
}
COMPUTED_SORTS = ("score", "warnings")
QUEUE_SORTS = (*DATABASE_SORTS, *COMPUTED_SORTS)


def _evidence_count() -> Coalesce:
    per_submission = (
        Evidence.objects.filter(submission=OuterRef("pk"))
        .order_by()
        .values("submission")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_submission, output_field=IntegerField()), Value(0))


def _ordering(key: str, descending: bool) -> list[OrderBy]:
    """The ORDER BY of a database sort; ties keep the review order. Rows without the value (a
    draft was never submitted) come last either way."""
    terms = []
    for name in DATABASE_SORTS[key]:
        reverse = name.startswith("-") != descending
        column = F(name.lstrip("-"))
        terms.append(column.desc(nulls_last=True) if reverse else column.asc(nulls_last=True))
    return [*terms, *(F(name).asc() for name in QUEUE_ORDER)]


def queue_rows(queryset: QuerySet[Submission], sort: str = "") -> QuerySet[Submission]:
    """The review queue's rows with their evidence count, in the review order (the nearest
    deadline first) or by a column of `DATABASE_SORTS` (``-name`` for descending)."""
    queryset = queryset.select_related("period__framework", "organization").annotate(
        evidence_count=_evidence_count()
    )
    key = sort.lstrip("-")
    if key in DATABASE_SORTS:
        return queryset.order_by(*_ordering(key, sort.startswith("-")))
    return queryset.order_by(*QUEUE_ORDER)


@dataclass(frozen=True)
class QueueFacts:
    """What the pure engine makes of one submission's stored values: the queue's computed
    columns. `vetoes` are the codes of the veto indicators that fired."""

    points: float | None
    max: float
    grade: str | None
    vetoes: tuple[str, ...]
    warnings: int


_SUBJECT = ("subject_kind", "organization_id", "leading_group_id", "department_id", "person_id")


def _earlier_values(subjects: list[tuple], latest: datetime.date) -> dict[tuple, list[tuple]]:
    """The values scored for the subjects in periods starting before `latest`, by subject key
    ``(kind, organization, leading group, department, person)``: (start, inputs), oldest first.

    Read from the approved subjects' stored scores, whose inputs are their effective values
    (what `selectors.entry.earlier_values` reads value by value): one row per subject and
    period instead of one per value, forty times fewer for the queue's 1,254 rows.
    """
    keys = set(subjects)
    rows = (
        SubjectScore.objects.filter(
            submission__state__in=APPROVED_OR_LATER,
            organization_id__in={key[1] for key in keys},
            subject_kind__in={key[0] for key in keys},
            period__start__lt=latest,
        )
        .order_by("period__start")
        .values_list(*(f"submission__{name}" for name in _SUBJECT), "period__start", "inputs")
    )
    history: dict[tuple, list[tuple]] = defaultdict(list)
    for *key, start, inputs in rows:
        subject = tuple(key)
        if subject in keys:
            history[subject].append((start, inputs))
    return history


# How long the facts are kept: each submission's are keyed by its values' last change, so this
# only bounds how late a change of the subject's earlier scores (a reopened year) shows.
FACTS_TTL = 3600


def _facts_key(period: Period) -> str:
    """One cache entry per period (a local memory cache keeps only 300 entries)."""
    framework = period.framework
    created = framework.created_at.timestamp()
    return f"queue-facts:{period.pk}:{framework.pk}:{framework.revision}:{created}"


def queue_facts(submissions: QuerySet[Submission], *, cached: bool = True) -> dict[int, QueueFacts]:
    """Score, grade, vetoes and the number of plausibility warnings of each submission, as the
    submission page would show them (`selectors.entry.entry_page`), from the stored values.

    `submissions` is already restricted to the user's scope; the earlier values behind the
    warnings are the same subjects' own. The facts are cached by period, each submission's
    under its version and its values' last change, so a whole queue is scored once (2 s for
    1,254 submissions on SQLite) and then only what changed. Four queries whatever the number
    of submissions (the submissions, their periods, then for those not cached their values and
    the subjects' earlier scores), the frameworks cached per version. Without `cached` (a page
    of rows: 0.1 s) every one is worked out again, so a page costs the same queries every time.
    """
    heads = list(
        submissions.order_by()
        .annotate(changed=Max("values__updated_at"))
        .values_list("pk", "period_id", *_SUBJECT, "version", "changed")
    )
    if not heads:
        return {}
    periods = {
        period.pk: period
        for period in Period.objects.filter(pk__in={head[1] for head in heads}).select_related(
            "framework"
        )
    }
    keys = {pk: _facts_key(period) for pk, period in periods.items()}
    stored = cache.get_many(list(keys.values())) if cached else {}
    known = {period_id: stored.get(key, {}) for period_id, key in keys.items()}
    facts: dict[int, QueueFacts] = {}
    todo = []
    for head in heads:
        stamp = (head[7], head[8].timestamp() if head[8] is not None else 0.0)
        entry = known[head[1]].get(head[0])
        if cached and entry is not None and entry[0] == stamp:
            facts[head[0]] = QueueFacts(*entry[1])
        else:
            todo.append((head, stamp))
    if not todo:
        return facts
    values: dict[int, dict[str, Any]] = defaultdict(dict)
    for pk, code, value, reviewed in IndicatorValue.objects.filter(
        submission__in=[head[0] for head, _stamp in todo]
    ).values_list("submission_id", "indicator__code", "value", "reviewed_value"):
        values[pk][code] = reviewed if reviewed is not None else value
    latest = max(periods[head[1]].start for head, _stamp in todo)
    history = _earlier_values([tuple(head[2:7]) for head, _stamp in todo], latest)
    for head, stamp in todo:
        pk, period = head[0], periods[head[1]]
        earlier: dict[str, list[float]] = defaultdict(list)
        for start, inputs in history.get(tuple(head[2:7]), ()):
            if start < period.start:
                for code, value in inputs.items():
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        earlier[code].append(float(value))
        facts[pk] = _facts(engine_framework(period.framework), head[2], values[pk], earlier)
        known[head[1]][pk] = (stamp, astuple(facts[pk]))
    if cached:
        cache.set_many({keys[period_id]: known[period_id] for period_id in keys}, FACTS_TTL)
    return facts


def _facts(spec, kind: str, values: dict[str, Any], earlier: dict[str, list[float]]) -> QueueFacts:
    try:
        score = score_subject(spec, kind, values)
    except ValueError:  # a subject kind the framework does not have: nothing to score
        return QueueFacts(None, 0.0, None, (), 0)
    warnings = 0
    for indicator in spec.indicators_for(kind):
        result = score.indicator(indicator.code)
        if not result.not_applicable:
            past = earlier.get(indicator.code, []) if indicator.kind != "formula" else []
            warnings += len(quality_flags(indicator, result.value, past))
    return QueueFacts(
        points=round(score.total, 2) if score.max else None,
        max=round(score.max, 2),
        grade=score.grade,
        vetoes=tuple(hit.code for hit in score.vetoes),
        warnings=warnings,
    )


def indicator_names(submission: Submission, facts: QueueFacts | None, lang: str) -> list[str]:
    """The vetoes of `facts` as "code name" in the language (no query: the period's framework
    is already joined, its engine form cached)."""
    if facts is None or not facts.vetoes:
        return []
    spec = engine_framework(submission.period.framework)
    names = []
    for code in facts.vetoes:
        try:
            names.append(f"{code} {spec.indicator(code).name.get(lang)}")
        except KeyError:
            names.append(code)
    return names


def grade_name(submission: Submission, facts: QueueFacts | None, lang: str) -> str:
    """The grade of `facts` in words ("" without a grade)."""
    if facts is None or facts.grade is None:
        return ""
    try:
        band = engine_framework(submission.period.framework).grade_band(facts.grade)
    except KeyError:
        return facts.grade
    return band.name.get(lang) or facts.grade


WARNING_FILTERS = ("clean", "warned", "vetoed")


def _shows(facts: QueueFacts, warnings: str) -> bool:
    """Whether a row passes the warnings filter: clean (no warning, no veto), warned, vetoed."""
    if warnings == "clean":
        return not facts.warnings and not facts.vetoes
    if warnings == "warned":
        return facts.warnings > 0
    if warnings == "vetoed":
        return bool(facts.vetoes)
    return True


def _in_computed_order(ids: list[int], facts: dict[int, QueueFacts], sort: str) -> list[int]:
    """`ids` (in the review order) by score or warnings; ties keep the review order, rows with
    no score come last either way."""
    key = sort.lstrip("-")
    descending = sort.startswith("-")

    def value(pk: int) -> float | None:
        return facts[pk].points if key == "score" else facts[pk].warnings

    known = [pk for pk in ids if value(pk) is not None]
    known.sort(key=value, reverse=descending)  # a stable sort, reversed stably too
    return known + [pk for pk in ids if value(pk) is None]


class RowsInOrder:
    """The queue's rows in an order worked out in Python, fetched a page at a time (what
    `Paginator` slices): one query per page, whatever the length of the queue."""

    def __init__(self, rows: QuerySet[Submission], ids: list[int]) -> None:
        self.rows = rows
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: slice) -> list[Submission]:
        chunk = self.ids[index]
        by_pk = {row.pk: row for row in self.rows.filter(pk__in=chunk)}
        return [by_pk[pk] for pk in chunk if pk in by_pk]


# The queue's rows an export reads at a time.
EXPORT_CHUNK = 500


@dataclass
class Queue:
    """The queue as the page lists it: `rows` for the paginator and the facts known so far
    (every row's when the order or the warnings filter needed them)."""

    rows: "QuerySet[Submission] | RowsInOrder"
    facts: dict[int, QueueFacts]
    queryset: QuerySet[Submission]

    def ids(self) -> list[int]:
        """Every row's id, in order."""
        if isinstance(self.rows, RowsInOrder):
            return list(self.rows.ids)
        return list(self.rows.values_list("pk", flat=True))

    def facts_of(self, rows: Iterable[Submission]) -> dict[int, QueueFacts]:
        """The facts of some rows (a page), working out those not known yet afresh (four
        queries)."""
        wanted = [row.pk for row in rows]
        missing = [pk for pk in wanted if pk not in self.facts]
        if missing:
            self.facts.update(queue_facts(self.queryset.filter(pk__in=missing), cached=False))
        return {pk: self.facts[pk] for pk in wanted if pk in self.facts}

    def every_row(
        self, ids: list[int], *, chunk: int = EXPORT_CHUNK
    ) -> Iterator[tuple[Submission, QueueFacts | None]]:
        """The rows `ids` (every row's, `ids()`) in order with their facts, for the export: the
        facts of the whole queue worked out at once (cached, four queries), the rows fetched a
        chunk at a time, so the queries do not grow with the rows but by one per chunk."""
        if any(pk not in self.facts for pk in ids):
            self.facts.update(queue_facts(self.queryset))
        rows = RowsInOrder(self.rows.rows if isinstance(self.rows, RowsInOrder) else self.rows, ids)
        for start in range(0, len(ids), chunk):
            for row in rows[start : start + chunk]:
                yield row, self.facts.get(row.pk)


def review_queue(queryset: QuerySet[Submission], *, sort: str = "", warnings: str = "") -> Queue:
    """The queue's rows (`queryset`, restricted and filtered) sorted by `sort` and narrowed by
    the warnings filter. The database orders its own columns; sorting by score or warnings, or
    filtering by warnings, works out every row's facts first (cached: `queue_facts`)."""
    rows = queue_rows(queryset, sort)
    key = sort.lstrip("-")
    if key not in COMPUTED_SORTS and warnings not in WARNING_FILTERS:
        return Queue(rows, {}, queryset)
    facts = queue_facts(queryset)
    ids = [pk for pk in rows.values_list("pk", flat=True) if _shows(facts[pk], warnings)]
    if key in COMPUTED_SORTS:
        ids = _in_computed_order(ids, facts, sort)
    return Queue(RowsInOrder(rows, ids), facts, queryset)


def next_in_queue(
    across: QuerySet[Submission], state: str, after: int, *, sort: str = "", warnings: str = ""
) -> int | None:
    """The submission after `after` in the queue a decision was taken from, with its filters.

    `across` is the queue narrowed by every filter but the state (`ListFilterSet.across_states`):
    the decided submission has usually left the state the queue lists, so it is kept in to find
    its place. None when it was the last one (or is no longer in the queue at all).
    """
    kept = across.filter(Q(state=state) | Q(pk=after)) if state else across
    ids = review_queue(kept, sort=sort, warnings=warnings).ids()
    if after not in ids:
        return None
    rest = ids[ids.index(after) + 1 :]
    return rest[0] if rest else None


def review_scope_organizations(user) -> QuerySet[Organization]:
    """The top of the user's review scope and the level below: the queue's subtree choices."""
    prefixes = scope_prefixes(user, Action.REVIEW)
    queryset = Organization.objects.restrict(user, Action.REVIEW)
    if prefixes is None:
        queryset = queryset.filter(Q(parent__isnull=True) | Q(parent__parent__isnull=True))
    else:
        queryset = queryset.filter(Q(path__in=prefixes) | Q(parent__path__in=prefixes))
    return queryset.order_by("path")


def visible_periods() -> QuerySet[Period]:
    """Periods that have submissions (opened at least once), newest first."""
    return (
        Period.objects.exclude(status=PeriodStatus.PLANNED)
        .select_related("framework")
        .order_by("-start", "kind", "pk")
    )


def pick_period(periods: list[Period], period_id: int | None) -> Period | None:
    """The period asked for if it is among `periods`, else the latest open one, else the latest."""
    chosen = next((p for p in periods if p.pk == period_id), None)
    if chosen is None:
        chosen = next((p for p in periods if p.status == PeriodStatus.OPEN), None)
    if chosen is None and periods:
        chosen = periods[0]
    return chosen


def scope_roots(user) -> QuerySet[Organization]:
    """The top organizations of the user's scope (the roots of the tree for superusers)."""
    prefixes = scope_prefixes(user, Action.VIEW)
    queryset = Organization.objects.restrict(user).select_related("kind").order_by("path")
    if prefixes is None:
        return queryset.filter(parent__isnull=True)
    return queryset.filter(path__in=prefixes)


def subject_kind_names(periods, lang: str) -> dict[str, str]:
    """Subject kind code → its name in the language, from the periods' frameworks (no query)."""
    names: dict[str, str] = {}
    for period in periods:
        for kind in period.framework.subject_kinds:
            name = kind.get("name") or {}
            names.setdefault(kind["code"], name.get(lang) or name.get("zh") or kind["code"])
    return names


@dataclass
class CompletenessRow:
    """Counts for one organization's subtree (or its own subjects) in one period."""

    organization: Organization | None
    expected: int = 0
    submitted: int = 0
    approved: int = 0
    overdue: int = 0

    @property
    def percent_submitted(self) -> int | None:
        return round(100 * self.submitted / self.expected) if self.expected else None

    def add(self, other: "CompletenessRow") -> None:
        self.expected += other.expected
        self.submitted += other.submitted
        self.approved += other.approved
        self.overdue += other.overdue


@dataclass
class Completeness:
    """One organization, its own subjects, each direct child's subtree, and the total."""

    organization: Organization
    period: Period
    own: CompletenessRow
    children: list[CompletenessRow] = field(default_factory=list)
    total: CompletenessRow = field(default_factory=lambda: CompletenessRow(None))


def _child_segment(parent_path: str):
    """The id (as text) of the child of `parent_path` an organization path lies under.

    ``/1/5/23/40/`` under ``/1/5/`` → ``"23"``; the parent's own path → ``""``. A "/" is appended
    before looking for the first one, so the length is never negative on any database.
    """
    rest = Concat(Substr("organization__path", len(parent_path) + 1), Value("/"))
    return Substr(rest, 1, StrIndex(rest, Value("/")) - Value(1))


def completeness(
    user, period: Period, organization: Organization, *, today: datetime.date
) -> Completeness:
    """Expected, submitted, approved and overdue submissions per direct child of an organization.

    Two queries whatever the number of children: the children, and one aggregate grouped by the
    child each submission's organization lies under. Overdue means not submitted (a draft or
    returned) once the period's deadline has passed.
    """
    children = list(
        Organization.objects.restrict(user)
        .filter(parent=organization)
        .select_related("kind")
        .order_by("code")
    )
    groups = (
        Submission.objects.restrict(user)
        .filter(period=period, organization__path__startswith=organization.path)
        .order_by()
        .values(child=_child_segment(organization.path))
        .annotate(
            expected=Count("pk"),
            submitted=Count("pk", filter=Q(state__in=SUBMITTED_OR_LATER)),
            approved=Count("pk", filter=Q(state__in=APPROVED_OR_LATER)),
            pending=Count("pk", filter=Q(state__in=EDITABLE)),
        )
    )
    late = period.deadline < today
    by_key = {
        group["child"]: CompletenessRow(
            None,
            expected=group["expected"],
            submitted=group["submitted"],
            approved=group["approved"],
            overdue=group["pending"] if late else 0,
        )
        for group in groups
    }
    own = by_key.get("", CompletenessRow(None))
    own.organization = organization
    rows = []
    for child in children:
        row = by_key.get(str(child.pk), CompletenessRow(None))
        row.organization = child
        rows.append(row)
    result = Completeness(organization=organization, period=period, own=own, children=rows)
    result.total.add(own)
    for row in rows:
        result.total.add(row)
    return result


def notices_of(user) -> QuerySet[Notice]:
    """The user's notices, newest first, with what `notice_text` reads already joined; `is_read`
    sorts unread ones first alike on every database (NULLs do not)."""
    return (
        Notice.objects.filter(user=user)
        .select_related("submission__period")
        .annotate(is_read=ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField()))
        .order_by("-created_at", "-id")
    )


def unread_notice_count(user) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


@dataclass
class PeriodCounts:
    """How many submissions of a period lie in the user's scope, by progress."""

    total: int = 0
    submitted: int = 0
    approved: int = 0


def period_counts(user, period_ids: list[int]) -> dict[int, PeriodCounts]:
    """Scoped submission counts for some periods, in one grouped query."""
    rows = (
        Submission.objects.restrict(user)
        .filter(period_id__in=period_ids)
        .order_by()
        .values("period_id")
        .annotate(
            total=Count("pk"),
            submitted=Count("pk", filter=Q(state__in=SUBMITTED_OR_LATER)),
            approved=Count("pk", filter=Q(state__in=APPROVED_OR_LATER)),
        )
    )
    return {
        row["period_id"]: PeriodCounts(row["total"], row["submitted"], row["approved"])
        for row in rows
    }


def all_periods() -> QuerySet[Period]:
    """Every period, planned ones included, newest first (the periods administration list)."""
    return Period.objects.select_related("framework").order_by("-start", "kind", "pk")
