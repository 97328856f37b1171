"""Values counted from records: the registry of source kinds and the set-based count.

An indicator with a ``source`` (docs/framework-format.md, "Sources") is counted, not typed. The
kinds and their parameters are framework data checked by the pure spec
(``scoring/spec/sources.py``); the counting needs records that live in apps above this one
(records, rectification), which assessment may not import. So each of those apps registers its
computations here from its ``AppConfig.ready()``::

    sources.register("meetings", count_meetings, behind=meetings_behind)

A computation is set-based: given a `Context` (the period and the subjects: organization ids and
person ids) and the ``Source``, it answers ``{(unit, id): value}`` for every subject in a fixed
number of grouped queries, whatever the number of subjects. `count` and `count_all` run each
distinct source of the framework once and spread the answers over the submissions.

Storing what was counted (``IndicatorValue.counted``) and overrides are `services.counted`.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Q
from django.utils import timezone

from .choices import SubjectUnit
from .models import Period, Submission
from .scoring import spec as engine
from .scoring.values import NOT_APPLICABLE
from .selectors.frameworks import engine_framework

__all__ = [
    "ORGANIZATION",
    "PERSON",
    "Context",
    "RecordLink",
    "behind",
    "count",
    "count_all",
    "register",
    "registered",
    "sourced_indicators",
]

logger = logging.getLogger(__name__)

ORGANIZATION = SubjectUnit.ORGANIZATION.value
PERSON = SubjectUnit.PERSON.value
PATH_SEPARATOR = "/"

Key = tuple[str, int]  # (unit, organization or person id)


@dataclass(frozen=True)
class RecordLink:
    """One record behind a counted value, as the entry page lists it (url None: no page)."""

    label: str
    url: str | None = None
    day: datetime.date | None = None


@dataclass
class Context:
    """What a computation counts for: the period and its subjects.

    `organizations` and `people` are the ids of the organization and person subjects. With
    `everything` they are all of the period's subjects, and a computation may read the
    period's records without filtering by subject (cheaper than a long IN list); answers for
    organizations or people that are not subjects are dropped by the caller.
    """

    period: Period
    organizations: frozenset[int] = frozenset()
    people: frozenset[int] = frozenset()
    everything: bool = False
    today: datetime.date = field(default_factory=timezone.localdate)
    # Kept across the computations of one count: what several sources read alike (`memo`).
    shared: dict = field(default_factory=dict)

    @property
    def start(self) -> datetime.date:
        return self.period.start

    @property
    def end(self) -> datetime.date:
        return self.period.end

    @property
    def until(self) -> datetime.date:
        """The last day counted so far: the period's end, or today while it runs."""
        return min(self.period.end, self.today)

    def memo(self, key: tuple, build: Callable[[], Any]) -> Any:
        """`build()` once per count for the same key and subjects: attendance read once for
        the expected and the present, say."""
        full = (*key, self.organizations, self.people)
        if full not in self.shared:
            self.shared[full] = build()
        return self.shared[full]

    def own(self, field_name: str = "organization_id") -> Q:
        """Records of the subject organizations themselves."""
        if self.everything:
            return Q()
        return Q(**{f"{field_name}__in": sorted(self.organizations)})

    def subtree(self, path_field: str = "organization__path") -> Q:
        """Records of the subject organizations and of every organization below them."""
        if self.everything:
            return Q()
        query = Q(pk__in=[])
        for path in sorted(set(self.paths.values())):
            query |= Q(**{f"{path_field}__startswith": path})
        return query

    def of_people(self, field_name: str = "person_id") -> Q:
        if self.everything:
            return Q()
        return Q(**{f"{field_name}__in": sorted(self.people)})

    @cached_property
    def paths(self) -> dict[int, str]:
        """The subject organizations' paths (one query)."""
        from organizations.models import Organization

        if not self.organizations:
            return {}
        return dict(
            Organization.objects.filter(pk__in=sorted(self.organizations)).values_list("pk", "path")
        )

    def roll_up(self, own: Mapping[str, tuple[float, ...]], width: int) -> dict[int, list[float]]:
        """Sums by subject organization from sums by organization path: each path's numbers are
        added to every subject organization on it (itself and its ancestors)."""
        totals: dict[int, list[float]] = {org: [0.0] * width for org in self.organizations}
        for path, numbers in own.items():
            for part in path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR):
                if not part:
                    continue
                total = totals.get(int(part))
                if total is not None:
                    for index, number in enumerate(numbers):
                        total[index] += float(number or 0)
        return totals

    def organization_answer(self, values: Mapping[int, Any], default: Any = 0) -> dict[Key, Any]:
        return {(ORGANIZATION, org): values.get(org, default) for org in self.organizations}

    def person_answer(self, values: Mapping[int, Any], default: Any = 0) -> dict[Key, Any]:
        return {(PERSON, person): values.get(person, default) for person in self.people}


Compute = Callable[[Context, engine.Source], dict[Key, Any]]
Behind = Callable[[Submission, engine.Source], list[RecordLink]]


@dataclass(frozen=True)
class _Entry:
    compute: Compute
    behind: Behind | None = None


_REGISTRY: dict[str, _Entry] = {}


def register(kind: str, compute: Compute, *, behind: Behind | None = None) -> None:
    """Register the computation of a source kind (and, optionally, the records behind a value).

    Called from an app's ``ready()``; registering a kind again replaces it (a test's stand-in).
    """
    if kind not in engine.SOURCE_KINDS:
        raise ValueError(f"{kind!r} is not a source kind of the framework spec")
    _REGISTRY[kind] = _Entry(compute, behind)


def registered() -> frozenset[str]:
    return frozenset(_REGISTRY)


def sourced_indicators(framework: engine.Framework, subject_kind: str | None = None) -> list:
    """The framework's indicators with a source (those of one subject kind when given)."""
    indicators = framework.indicators_for(subject_kind) if subject_kind else framework.indicators
    return [i for i in indicators if i.source is not None]


Subject = tuple[int, str, Key]  # (submission id, subject kind, subject key)


def _key(unit: str, organization_id: int, person_id: int | None) -> Key | None:
    if unit == ORGANIZATION:
        return (ORGANIZATION, organization_id)
    if unit == PERSON and person_id:
        return (PERSON, person_id)
    return None


def _finish(indicator: engine.Indicator, value: Any) -> Any:
    """A computed number as the indicator's value type stores it."""
    if value is None or value == NOT_APPLICABLE:
        return value
    if indicator.value_type == "boolean":
        return bool(value)
    if indicator.value_type == "count":
        return round(float(value))
    return round(float(value), 2)


def _run(
    period: Period, rows: Iterable[tuple], *, everything: bool, today=None
) -> dict[tuple[int, str], Any]:
    """`rows` are (submission id, subject kind, unit, organization id, person id)."""
    spec = engine_framework(period.framework)
    sourced = sourced_indicators(spec)
    if not sourced:
        return {}
    by_kind: dict[str, list[Subject]] = {}
    for pk, subject_kind, unit, organization_id, person_id in rows:
        key = _key(unit, organization_id, person_id)
        if key is not None:
            by_kind.setdefault(subject_kind, []).append((pk, subject_kind, key))
    # One computation per distinct source over all the subjects of the indicators that use it.
    uses: dict[engine.Source, list[engine.Indicator]] = {}
    for indicator in sourced:
        uses.setdefault(indicator.source, []).append(indicator)
    shared: dict = {}
    out: dict[tuple[int, str], Any] = {}
    for source, indicators in uses.items():
        entry = _REGISTRY.get(source.kind)
        if entry is None:
            logger.warning("source %s is not registered: %s not counted", source.kind, indicators)
            continue
        kinds = sorted({k for i in indicators for k in i.applies_to})
        subjects = [s for k in kinds for s in by_kind.get(k, ())]
        if not subjects:
            continue
        context = Context(
            period=period,
            organizations=frozenset(k[1] for _, _, k in subjects if k[0] == ORGANIZATION),
            people=frozenset(k[1] for _, _, k in subjects if k[0] == PERSON),
            everything=everything,
            shared=shared,
            **({"today": today} if today else {}),
        )
        answers = entry.compute(context, source)
        for indicator in indicators:
            applies = set(indicator.applies_to)
            code = indicator.code
            for pk, subject_kind, key in subjects:
                if subject_kind in applies and key in answers:
                    out[(pk, code)] = _finish(indicator, answers[key])
    return out


def count(
    period: Period, submissions: Iterable[Submission], *, today=None
) -> dict[tuple[int, str], Any]:
    """The counted values of these submissions of the period: {(submission id, code): value}."""
    rows = [
        (s.pk, s.subject_kind, s.subject_unit, s.organization_id, s.person_id) for s in submissions
    ]
    return _run(period, rows, everything=False, today=today)


def count_all(period: Period, *, today=None) -> dict[tuple[int, str], Any]:
    """The counted values of every submission of the period, as `count`."""
    rows = Submission.objects.filter(period=period).values_list(
        "pk", "subject_kind", "subject_unit", "organization_id", "person_id"
    )
    return _run(period, rows.order_by("pk").iterator(chunk_size=5000), everything=True, today=today)


def behind(submission: Submission, indicator: engine.Indicator) -> list[RecordLink]:
    """The records a counted value was counted from, for the entry page."""
    if indicator.source is None:
        return []
    entry = _REGISTRY.get(indicator.source.kind)
    if entry is None or entry.behind is None:
        return []
    return entry.behind(submission, indicator.source)
