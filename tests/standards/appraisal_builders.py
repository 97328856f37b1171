"""Member appraisals to test against: a year of the standards framework whose branch members
were scored (study hours S4.1.01 and appraisal votes S4.2.01), and the appraisals opened from it.

Every member's score is 60% study (target 10 hours) and 40% the share of "excellent" votes
weighed by the appraisal rubric, so `member_values(score)` picks values for a wanted score.
"""

from collections.abc import Mapping

from django.utils import timezone

from assessment.choices import SubmissionState
from assessment.models import Indicator, IndicatorValue, Period, Submission
from organizations.models import Organization, Person
from standards.models import MemberAppraisal
from standards.services import appraisals as services
from tests.builders import roll_up
from tests.factories import PeriodFactory, PersonFactory


def votes(excellent: int, voters: int = 10) -> dict[str, int]:
    return {
        "voters": voters,
        "excellent": excellent,
        "competent": voters - excellent,
        "basic": 0,
        "incompetent": 0,
    }


def members(organization: Organization, names: list[str]) -> list[Person]:
    return [PersonFactory(organization=organization, name=name) for name in names]


def score_members(period: Period, values: Mapping[Person, dict], *, scored: bool = True) -> Period:
    """The members' submissions hold `values` (indicator code -> value) and are approved; the
    period is then scored and rolled up (unless `scored=False`)."""
    ids = dict(Indicator.objects.filter(framework=period.framework).values_list("code", "pk"))
    subs = dict(
        Submission.objects.filter(period=period, person__in=[p.pk for p in values]).values_list(
            "person_id", "pk"
        )
    )
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(submission_id=subs[person.pk], indicator_id=ids[code], value=value)
            for person, entered in values.items()
            for code, value in entered.items()
        ],
        update_conflicts=True,
        unique_fields=["submission", "indicator"],
        update_fields=["value"],
    )
    now = timezone.now()
    Submission.objects.filter(pk__in=list(subs.values())).update(
        state=SubmissionState.APPROVED, submitted_at=now, approved_at=now
    )
    return roll_up(period) if scored else period


def member_values(hours: float, excellent: int, voters: int = 10) -> dict:
    return {"S4.1.01": str(hours), "S4.2.01": votes(excellent, voters)}


def appraised_period(framework, branch_values: Mapping[Organization, list], year: int = 2026):
    """A year whose given branches have the given members, scored, appraisals opened.

    `branch_values` maps a branch to [(name, hours, excellent votes of 10), ...].
    Returns (period, {name: person}).
    """
    people = {}
    wanted = {}
    for branch, rows in branch_values.items():
        for name, hours, excellent in rows:
            person = PersonFactory(organization=branch, name=name)
            people[name] = person
            wanted[person] = member_values(hours, excellent)
    period = PeriodFactory(framework=framework, year=year)
    score_members(period, wanted)
    services.open_for_period(period)
    return period, people


def appraisal_of(period: Period, branch: Organization) -> MemberAppraisal:
    return MemberAppraisal.objects.get(period=period, organization=branch)
