"""Reads of seven-good titles: the titles a reviewer may decide, the honours, a subject's
evaluation against its standards, the quotas and their use. Each starts from the access scope and
takes a bounded number of queries whatever the number of titles.

Quotas: a standard's `quota` admits at most `quota_size(share, n)` confirmed titles under each
organization of kind `per` (its quota group), n being the number of the standard's subjects of
the period in that group. An organization subject counts in the group of its nearest strict
ancestor of kind `per`; a unit subject (leading group, department, member, staff) in its own
organization's when that is of kind `per`, else its nearest ancestor's; the root's when there is
none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language

from assessment.choices import PeriodKind, SubjectUnit
from assessment.models import Period, SubjectScore, Submission
from assessment.scoring.spec.shape import SevenGoodShape
from assessment.scoring.text import is_english
from assessment.selectors import engine_framework
from organizations.choices import Action
from organizations.models import PATH_SEPARATOR, Organization
from organizations.scope import scope_prefixes

from .. import config
from ..choices import Decision
from ..models import Title
from ..seven_good import StandardResult, evaluate, standards_for

__all__ = [
    "QuotaUse",
    "SubjectStandards",
    "criteria_rows",
    "decidable",
    "evaluate_score",
    "explanation_text",
    "for_review",
    "honours",
    "organization_paths",
    "quota_anchor",
    "quota_overview",
    "quota_use",
    "standard_names",
    "state_counts",
    "subject_standards",
    "subject_units",
    "title_detail",
    "year_periods",
]


def _prefixes(path: str) -> list[str]:
    """The paths from the root down to the organization itself: /1/, /1/5/, /1/5/23/."""
    ids = path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)
    return [
        PATH_SEPARATOR + PATH_SEPARATOR.join(ids[: i + 1]) + PATH_SEPARATOR for i in range(len(ids))
    ]


def quota_anchor(path: str, *, organization_subject: bool, per_paths: Iterable[str]) -> str:
    """The path of the organization whose quota a subject counts in (see the module's doc)."""
    chain = _prefixes(path)
    candidates = chain[:-1] if organization_subject else chain
    per = per_paths if isinstance(per_paths, set | frozenset) else set(per_paths)
    for candidate in reversed(candidates):
        if candidate in per:
            return candidate
    return chain[0]


def _per_paths(per: str) -> set[str]:
    return set(Organization.objects.filter(kind__code=per).values_list("path", flat=True))


def _within(field_name: str, paths: Iterable[str]) -> Q:
    return reduce(or_, (Q(**{f"{field_name}__startswith": p}) for p in paths), Q(pk__in=[]))


@dataclass
class QuotaUse:
    """One quota group of one standard: how many subjects compete, how many titles it admits,
    how many are confirmed."""

    standard: str
    organization: Organization | None
    path: str
    per: str
    share: float
    subjects: int = 0
    confirmed: int = 0

    @property
    def size(self) -> int:
        return config.quota_size(self.share, self.subjects)

    @property
    def available(self) -> int:
        return max(0, self.size - self.confirmed)

    @property
    def full(self) -> bool:
        return self.confirmed >= self.size


def quota_use(
    period: Period,
    standard: SevenGoodShape,
    anchors: Iterable[str],
    *,
    per_paths: set[str] | None = None,
) -> dict[str, QuotaUse]:
    """The use of the standard's quota in each group named by its anchor path: four queries
    (three when the paths of the organizations of kind `per` are given)."""
    anchors = set(anchors)
    quota = standard.quota
    if quota is None or not anchors:
        return {}
    if per_paths is None:
        per_paths = _per_paths(quota.per)
    orgs = {o.path: o for o in Organization.objects.filter(path__in=anchors).select_related("kind")}
    uses = {
        path: QuotaUse(standard.code, orgs.get(path), path, quota.per, quota.share)
        for path in anchors
    }

    def group(path: str, unit: str) -> str:
        return quota_anchor(
            path, organization_subject=unit == SubjectUnit.ORGANIZATION, per_paths=per_paths
        )

    subjects = Submission.objects.filter(
        _within("organization__path", anchors),
        period=period,
        subject_kind__in=standard.applies_to,
    ).values_list("organization__path", "subject_unit")
    for path, unit in subjects:
        anchor = group(path, unit)
        if anchor in uses:
            uses[anchor].subjects += 1
    confirmed = Title.objects.filter(
        _within("organization__path", anchors),
        period=period,
        standard=standard.code,
        state=Decision.CONFIRMED,
    ).values_list("organization__path", "submission__subject_unit")
    for path, unit in confirmed:
        anchor = group(path, unit)
        if anchor in uses:
            uses[anchor].confirmed += 1
    return uses


def decidable(user) -> QuerySet[Title]:
    """Titles the user may decide: reviewers of the subject's organization for unit subjects,
    reviewers above it for organization subjects (an organization never confirms its own)."""
    titles = Title.objects.restrict(user, Action.REVIEW)
    prefixes = scope_prefixes(user, Action.REVIEW)
    if prefixes:
        # Prefixes are collapsed (none inside another), so an organization whose path is one of
        # them has no grant strictly above it.
        titles = titles.exclude(
            submission__subject_unit=SubjectUnit.ORGANIZATION, organization__path__in=prefixes
        )
    return titles


def _listed(titles: QuerySet[Title]) -> QuerySet[Title]:
    return titles.select_related("organization__kind", "period__framework", "decided_by").order_by(
        "standard", "-score", "subject_name", "pk"
    )


def for_review(
    user,
    *,
    period: Period | None,
    standard: str = "",
    state: str = Decision.PROPOSED,
) -> QuerySet[Title]:
    """The titles the reviewer may decide, of a period, by standard and state."""
    titles = decidable(user)
    if period is not None:
        titles = titles.filter(period=period)
    if standard:
        titles = titles.filter(standard=standard)
    if state:
        titles = titles.filter(state=state)
    return _listed(titles)


def honours(
    user,
    *,
    period: Period | None,
    standard: str = "",
    organization: Organization | None = None,
) -> QuerySet[Title]:
    """The confirmed titles of a period the user may see, by standard (then score)."""
    titles = Title.objects.restrict(user, Action.VIEW).filter(state=Decision.CONFIRMED)
    if period is not None:
        titles = titles.filter(period=period)
    if standard:
        titles = titles.filter(standard=standard)
    if organization is not None:
        titles = titles.within(organization)
    return _listed(titles)


def state_counts(titles: QuerySet[Title]) -> dict[str, int]:
    """How many titles in each state (every state named, zero included): one query."""
    counts = dict(
        titles.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    return {state: counts.get(state, 0) for state in Decision.values}


def organization_paths(organizations: Iterable[Organization]) -> dict[int, str]:
    """Each organization's path in names, root first ("集团党组 / 甲公司党委 / 甲一党总支"):
    one query for all the ancestors."""
    organizations = list(organizations)
    ids = {i for org in organizations for i in org.ancestor_ids}
    english = is_english(get_language() or "zh")
    names = {
        o.pk: (o.name_en or o.name) if english else o.name
        for o in Organization.objects.filter(pk__in=ids).only("name", "name_en")
    }
    return {
        org.pk: " / ".join([*(names[i] for i in org.ancestor_ids if i in names), org.display_name])
        for org in organizations
    }


def year_periods() -> QuerySet[Period]:
    """The yearly periods, newest first: titles are proposed for years only."""
    return Period.objects.filter(kind=PeriodKind.YEAR).order_by("-start")


def title_detail(user, pk: int) -> Title:
    """One title the user may see, or 404."""
    title = (
        Title.objects.restrict(user, Action.VIEW)
        .select_related("organization__kind", "period__framework", "submission", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if title is None:
        raise Http404
    return title


@dataclass
class SubjectStandards:
    """A subject's evaluation against each standard that applies to its kind."""

    submission: Submission
    score: SubjectScore | None
    results: list[StandardResult] = field(default_factory=list)
    titles: Mapping[str, Title] = field(default_factory=dict)


def evaluate_score(period: Period, score: SubjectScore) -> list[StandardResult]:
    """The stored score against each standard of its kind (no query once the framework is read)."""
    framework = engine_framework(period.framework)
    return [
        evaluate(
            framework,
            standard,
            dimensions=score.dimensions,
            indicators=score.indicators,
            vetoes=score.vetoes,
        )
        for standard in standards_for(config.for_period(period), score.subject_kind)
    ]


def subject_standards(user, submission_pk: int) -> SubjectStandards:
    """The evaluation of one subject the user may see (404 otherwise), from its stored score;
    `score` is None while the subject has not been scored."""
    submission = (
        Submission.objects.restrict(user, Action.VIEW)
        .select_related("organization__kind", "period__framework")
        .filter(pk=submission_pk)
        .first()
    )
    if submission is None:
        raise Http404
    score = SubjectScore.objects.filter(submission=submission).first()
    found = SubjectStandards(submission, score)
    if score is not None:
        found.results = evaluate_score(submission.period, score)
    found.titles = {
        t.standard: t
        for t in Title.objects.filter(submission=submission).select_related("decided_by")
    }
    return found


def quota_overview(period: Period | None, titles: Iterable[Title]) -> list[QuotaUse]:
    """The quota groups of the listed titles with their use, standard by standard."""
    if period is None:
        return []
    titles = list(titles)
    standards = {s.code: s for s in config.for_period(period).seven_good}
    wanted: dict[str, tuple[set[str], set[str]]] = {}
    for code in {t.standard for t in titles}:
        standard = standards.get(code)
        if standard is None or standard.quota is None:
            continue
        per_paths = _per_paths(standard.quota.per)
        anchors = {
            quota_anchor(
                t.organization.path,
                organization_subject=t.subject_unit == SubjectUnit.ORGANIZATION,
                per_paths=per_paths,
            )
            for t in titles
            if t.standard == code
        }
        wanted[code] = (anchors, per_paths)
    uses: list[QuotaUse] = []
    for code, (anchors, per_paths) in sorted(wanted.items()):
        found = quota_use(period, standards[code], anchors, per_paths=per_paths)
        uses.extend(sorted(found.values(), key=lambda u: u.path))
    return uses


def subject_units(titles: Iterable[Title]) -> None:
    """Set `subject_unit` on each title from the framework's subject kinds (no query)."""
    for title in titles:
        framework = engine_framework(title.period.framework)
        try:
            title.subject_unit = framework.subject_kind(title.subject_kind).unit
        except KeyError:
            title.subject_unit = SubjectUnit.ORGANIZATION


def _text(pair: Mapping[str, str] | None, english: bool) -> str:
    if not pair:
        return ""
    return pair.get("en" if english else "zh") or pair.get("zh", "")


def criteria_rows(criteria: Iterable[Mapping], lang: str) -> list[dict]:
    """A title's criteria snapshot (or a live evaluation's, `StandardResult.to_dict()`) as table
    rows in the language: names, percentages, the indicators that held each back."""
    english = is_english(lang)
    rows = []
    for c in criteria:
        rows.append(
            {
                "dimension": c["dimension"],
                "name": _text(c["name"], english),
                "share": None if c["share"] is None else round(c["share"] * 100, 1),
                "threshold": round(c["threshold"] * 100, 1),
                "met": c["met"],
                "short_by": c["short_by"],
                "required_failed": [
                    {**r, "name": _text(r["name"], english)} for r in c["required_failed"]
                ],
                "veto": c["veto"],
                "veto_name": _text(c.get("veto_name"), english),
                "held_back": [{**h, "name": _text(h["name"], english)} for h in c["held_back"]],
                "explanation": _text(c["explanation"], english),
            }
        )
    return rows


def standard_names(period: Period | None, lang: str) -> dict[str, str]:
    """Each seven-good standard's title in the language, by code (the period's framework)."""
    if period is None:
        return {}
    english = is_english(lang)
    return {
        s.code: (s.title.en if english else s.title.zh)
        for s in config.for_period(period).seven_good
    }


def explanation_text(details: Mapping, lang: str) -> str:
    """The overall sentence a title was proposed with, in the language."""
    return _text(details.get("explanation"), is_english(lang))
