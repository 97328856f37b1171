"""The results of a period for the personnel department, as rows of one table.

Each part (confirmed titles, confirmed star ratings, approved member grades, follow-ups, rated
secretaries' reports) starts from its model's scope restriction for VIEW, so a user exports
only what they may see; `organization` narrows to a subtree. Rows are read in chunks with
`iterator()`, one query per part, so a stream of any length needs constant memory.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assessment.choices import PeriodKind
from assessment.models import Period
from assessment.scoring.text import Text
from organizations.choices import Action

from .. import config
from ..choices import AppraisalState, Decision, FollowUpStep, ReportState
from ..models import FollowUp, MemberGrade, SecretaryReport, StarRating, Title
from ..services.appraisals import scale_for

PARTS = ("titles", "stars", "grades", "follow_ups", "reports")
CHUNK = 2000


def headers() -> list[str]:
    return [
        _("Part"),
        _("Period"),
        _("Organization code"),
        _("Organization"),
        _("Subject"),
        _("Employee number"),
        _("Result"),
        _("Score"),
        _("Reason or note"),
        _("Due"),
        _("Date"),
        _("Decided by"),
    ]


@dataclass(frozen=True)
class _Names:
    """What the codes of a period's results are called, in the user's language."""

    language: str
    titles: dict[str, Text]
    grades: dict[str, Text]
    ratings: dict[str, Text]

    def of(self, names: dict[str, Text], code: str) -> str:
        text = names.get(code)
        return text.get(self.language) if text else code


def _names(period: Period) -> _Names:
    standards = config.for_period(period)
    scale = scale_for(period)
    ratings = standards.secretary_reports.ratings if standards.secretary_reports else ()
    return _Names(
        language=get_language() or "",
        titles={s.code: s.title for s in standards.seven_good},
        grades=dict(scale.names) if scale else {},
        ratings={r.code: r.name for r in ratings},
    )


def _english(language: str) -> bool:
    return language.startswith("en")


def _org(name: str, name_en: str, language: str) -> str:
    return (name_en or name) if _english(language) else name


def _day(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value).date()
    return value.isoformat()


def _scoped(model, user, organization):
    queryset = model.objects.restrict(user, Action.VIEW)
    if organization is not None:
        queryset = queryset.within(organization)
    return queryset


def _head(label: str, period: Period, names: _Names, code: str, name: str, name_en: str) -> list:
    """The cells every row starts with under `headers()`: the part, the period, the organization's
    code and its name in the user's language."""
    return [label, period.display_name, code, _org(name, name_en, names.language)]


def _titles(user, period, organization, names, label) -> Iterator[list]:
    rows = (
        _scoped(Title, user, organization)
        .filter(period=period, state=Decision.CONFIRMED)
        .order_by("organization__path", "standard", "subject_name")
        .values_list(
            "organization__code",
            "organization__name",
            "organization__name_en",
            "subject_name",
            "submission__person__employee_number",
            "standard",
            "score",
            "reason",
            "decided_at",
            "decided_by__username",
        )
    )
    for code, name, name_en, subject, number, standard, score, reason, at, by in rows.iterator(
        chunk_size=CHUNK
    ):
        yield [
            *_head(label, period, names, code, name, name_en),
            subject,
            number or "",
            names.of(names.titles, standard),
            score,
            reason,
            "",
            _day(at),
            by or "",
        ]


def _stars(user, period, organization, names, label) -> Iterator[list]:
    rows = (
        _scoped(StarRating, user, organization)
        .filter(period=period, state=Decision.CONFIRMED)
        .order_by("organization__path")
        .values_list(
            "organization__code",
            "organization__name",
            "organization__name_en",
            "stars",
            "score",
            "reason",
            "decided_at",
            "decided_by__username",
        )
    )
    for code, name, name_en, stars, score, reason, at, by in rows.iterator(chunk_size=CHUNK):
        result = _("%(stars)s stars") % {"stars": stars} if stars is not None else ""
        head = _head(label, period, names, code, name, name_en)
        yield [
            *head,
            head[-1],  # the subject rated is the branch itself
            "",
            result,
            score,
            reason,
            "",
            _day(at),
            by or "",
        ]


def _grades(user, period, organization, names, label) -> Iterator[list]:
    rows = (
        _scoped(MemberGrade, user, organization)
        .filter(appraisal__period=period, appraisal__state=AppraisalState.APPROVED)
        .order_by("appraisal__organization__path", "rank", "person__name")
        .values_list(
            "appraisal__organization__code",
            "appraisal__organization__name",
            "appraisal__organization__name_en",
            "person__name",
            "person__employee_number",
            "grade",
            "score",
            "reason",
            "appraisal__approved_at",
            "appraisal__approved_by__username",
        )
    )
    for code, name, name_en, person, number, grade, score, reason, at, by in rows.iterator(
        chunk_size=CHUNK
    ):
        yield [
            *_head(label, period, names, code, name, name_en),
            person,
            number,
            names.of(names.grades, grade),
            score,
            reason,
            "",
            _day(at),
            by or "",
        ]


def _follow_ups(user, period, organization, names, label) -> Iterator[list]:
    steps = dict(FollowUpStep.choices)
    rows = (
        _scoped(FollowUp, user, organization)
        .filter(grade__appraisal__period=period)
        .order_by("organization__path", "person__name", "due", "step")
        .values_list(
            "organization__code",
            "organization__name",
            "organization__name_en",
            "person__name",
            "person__employee_number",
            "step",
            "note",
            "due",
            "done_on",
            "owner__username",
        )
    )
    for code, name, name_en, person, number, step, note, due, done, owner in rows.iterator(
        chunk_size=CHUNK
    ):
        yield [
            *_head(label, period, names, code, name, name_en),
            person,
            number,
            str(steps.get(step, step)),
            None,
            note,
            _day(due),
            _day(done),
            owner or "",
        ]


def _reports(user, period, organization, names, label) -> Iterator[list]:
    rows = (
        _scoped(SecretaryReport, user, organization)
        .filter(period=period, state=ReportState.RATED)
        .order_by("organization__path", "secretary_name")
        .values_list(
            "organization__code",
            "organization__name",
            "organization__name_en",
            "secretary_name",
            "secretary__employee_number",
            "rating",
            "rating_reason",
            "rated_at",
            "rated_by__username",
        )
    )
    for code, name, name_en, secretary, number, rating, reason, at, by in rows.iterator(
        chunk_size=CHUNK
    ):
        yield [
            *_head(label, period, names, code, name, name_en),
            secretary,
            number or "",
            names.of(names.ratings, rating),
            None,
            reason,
            "",
            _day(at),
            by or "",
        ]


_READERS = {
    "titles": (_titles, Title, "period", {"state": Decision.CONFIRMED}),
    "stars": (_stars, StarRating, "period", {"state": Decision.CONFIRMED}),
    "grades": (
        _grades,
        MemberGrade,
        "appraisal__period",
        {"appraisal__state": AppraisalState.APPROVED},
    ),
    "follow_ups": (_follow_ups, FollowUp, "grade__appraisal__period", {}),
    "reports": (_reports, SecretaryReport, "period", {"state": ReportState.RATED}),
}


def part_label(part: str) -> str:
    return {
        "titles": _("Titles"),
        "stars": _("Star ratings"),
        "grades": _("Member grades"),
        "follow_ups": _("Follow-ups"),
        "reports": _("Secretaries' reports"),
    }[part]


def count_rows(user, period: Period, parts: Sequence[str], organization=None) -> dict[str, int]:
    """How many rows each chosen part holds for the user: one count per part."""
    counts = {}
    for part in parts:
        _reader, model, period_field, extra = _READERS[part]
        queryset = _scoped(model, user, organization).filter(**{period_field: period}, **extra)
        counts[part] = queryset.count()
    return counts


def export_rows(user, period: Period, parts: Sequence[str], organization=None) -> Iterator[list]:
    """The chosen parts' rows in the order of PARTS, each a list of cells under `headers()`."""
    names = _names(period)
    for part in PARTS:
        if part in parts:
            reader = _READERS[part][0]
            yield from reader(user, period, organization, names, part_label(part))


def export_periods() -> list[Period]:
    """The year periods results can be exported for, the latest first."""
    return list(Period.objects.filter(kind=PeriodKind.YEAR).order_by("-start")[:50])
