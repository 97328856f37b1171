"""A draft framework tried on the last period's real submissions before it is published.

Every subject scored in that period is scored again by the pure engine with the draft, from the
values its stored score was computed from (`SubjectScore.inputs`), and compared with that score:
which subjects would change grade (old grade → new grade, old total → new total). Nothing is
written, and only the subject kinds the draft changes are scored. Measured on the demo (6,223
scored subjects in 2025, SQLite, a busy 2-core machine): about 2.7 s when every kind is affected
(grade bands changed), 0.1–0.3 s for a rubric of branches only, 1.6 s for one of party members
(4,333 subjects), and 5–10 s for the same with a load average of 11 on the two cores. At four
times the demo's size: so it runs in a worker, as a `DraftTrial` the reaper watches
(`services.trials`), never in a web request.
"""

import time
from dataclasses import dataclass, field

from ..choices import PeriodStatus
from ..models import Framework, Period, SubjectScore, Submission
from ..scoring import score_subject
from ..scoring.values import rounded
from .frameworks import engine_framework, framework_document

# Parts of a framework that change every subject's score when they change.
_WHOLE = ("total_points", "grade_bands", "star_bands", "grade_scales", "subject_kinds", "axes")


@dataclass
class GradeChange:
    """One subject whose grade the draft would change."""

    submission_id: int
    subject: str
    subject_kind: str  # its name in the reader's language
    old_grade: str  # the grade's name in the reader's language (A, 优秀, …)
    new_grade: str
    old_total: float
    new_total: float
    better: bool


@dataclass
class Trial:
    """The draft against the period's stored scores."""

    period: Period
    subjects: int = 0
    totals_changed: int = 0
    up: int = 0
    down: int = 0
    skipped: int = 0  # subjects of a kind the draft no longer assesses
    unaffected: int = 0  # subjects of kinds whose indicators and bands the draft leaves alone
    changes: list[GradeChange] = field(default_factory=list)
    seconds: float = 0.0


def trial_period(framework: Framework) -> Period | None:
    """The period a draft is tried on: the last closed period of its framework code that has
    scores, else the last period with scores."""
    periods = list(Period.objects.filter(framework__code=framework.code).order_by("-end", "-pk"))
    closed_first = sorted(periods, key=lambda p: p.status != PeriodStatus.CLOSED)  # stable
    return next((p for p in closed_first if SubjectScore.objects.filter(period=p).exists()), None)


def try_draft(framework: Framework, period: Period, lang: str = "zh") -> Trial:
    """Score the period's subjects with `framework` and compare with their stored scores.

    Grades are compared by their order in the draft's bands (the first is the best), so a move
    up and a move down are told apart. Only the subjects of the kinds the draft changes are
    scored (`affected_kinds`): the others would score exactly as they did.
    """
    started = time.monotonic()
    spec = engine_framework(framework)
    scales = {
        kind.code: spec.grade_scales.get(kind.scale, spec.grade_bands)
        if kind.scale
        else spec.grade_bands
        for kind in spec.subject_kinds
    }
    kind_names = {kind.code: kind.name.get(lang) for kind in spec.subject_kinds}
    trial = Trial(period=period)
    affected = affected_kinds(period.framework, framework)
    trial.unaffected = (
        SubjectScore.objects.filter(period=period).exclude(subject_kind__in=affected).count()
    )
    rows = SubjectScore.objects.filter(period=period, subject_kind__in=affected).values_list(
        "submission_id", "subject_kind", "total", "grade", "inputs"
    )
    changed: list[tuple[int, str, str, str, float, float]] = []
    for submission_id, kind, total, grade, inputs in rows.iterator(chunk_size=2000):
        if kind not in scales:
            trial.skipped += 1
            continue
        score = score_subject(spec, kind, inputs)
        trial.subjects += 1
        new_total = rounded(score.total)  # as the stored total was
        if new_total != total:
            trial.totals_changed += 1
        new_grade = score.grade or ""
        if new_grade != grade:
            rank = [band.grade for band in scales[kind]]
            better = _place(rank, new_grade) < _place(rank, grade)
            trial.up += better
            trial.down += not better
            changed.append((submission_id, kind, grade, new_grade, total, new_total, better))
    names = dict(
        Submission.objects.filter(pk__in=[row[0] for row in changed]).values_list(
            "pk", "subject_name"
        )
    )

    def grade_name(kind: str, grade: str) -> str:
        band = next((b for b in scales[kind] if b.grade == grade), None)
        if band is None:
            return grade or "—"
        name = band.name.get(lang)
        return f"{grade} {name}" if len(grade) <= 2 else name  # "A 优秀", or "优秀" for "excellent"

    trial.changes = sorted(
        (
            GradeChange(
                pk,
                names.get(pk, ""),
                kind_names[kind],
                grade_name(kind, old),
                grade_name(kind, new),
                before,
                after,
                better,
            )
            for pk, kind, old, new, before, after, better in changed
        ),
        key=lambda c: (c.better, c.subject_kind, c.subject),
    )
    trial.seconds = time.monotonic() - started
    return trial


def _place(grades: list[str], grade: str) -> int:
    return grades.index(grade) if grade in grades else len(grades)


def affected_kinds(before: Framework, after: Framework) -> set[str]:
    """The subject kinds whose scores `after` can change compared with `before`: every kind when
    the bands, the total, the kinds or the dimensions differ, else the kinds of the indicators
    added, removed or changed."""
    old, new = framework_document(before), framework_document(after)
    every = {kind["code"] for kind in old["subject_kinds"]} | {
        kind["code"] for kind in new["subject_kinds"]
    }
    if any(old.get(key) != new.get(key) for key in _WHOLE):
        return every
    was = {i["code"]: i for i in old["indicators"]}
    now = {i["code"]: i for i in new["indicators"]}
    kinds: set[str] = set()
    for code in was.keys() | now.keys():
        if was.get(code) != now.get(code):
            for side in (was.get(code), now.get(code)):
                kinds.update(side["applies_to"] if side else ())
    return kinds
