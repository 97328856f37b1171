"""What the database tests build on: the organization tree with its named users, and scored
periods (values entered, submissions approved, scores rolled up).

`build_tree` and `named_user` make the tree and the users of tests/conftest.py (its fixtures
call them; so do fixtures whose rows are shared by a module, tests/shared_rows.py). Frameworks
and periods come from the factories (`FrameworkFactory`, `PeriodFactory`). Values go in two ways,
by what a test is about:

- `enter` goes through the workflow (values saved, the required evidence attached, submitted,
  approved), as a secretary and a reviewer would: for tests that read what the workflow leaves.
- `store` writes values and a state directly, in bulk: for tests about scoring and what reads
  the scores, where the workflow is beside the point (it is tested in tests/assessment).

Then `roll_up` scores a period as `manage.py rollup` does, or `recompute` runs the same full
recompute in-process and returns its run. `approved_period` (through the workflow) and
`scored_period` (stored directly) are the shortcuts: a period opened, filled and rolled up;
`build_scored` makes the two scored years the dashboard tests (and others) read.
The pure engine's inputs (no database) are built in tests/scoring/builders.py.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from assessment.choices import SubmissionState
from assessment.models import Framework, Indicator, IndicatorValue, Period, ScoreRun, Submission
from organizations.models import Organization
from organizations.services import assign_role
from tests.factories import (
    FrameworkFactory,
    OrganizationFactory,
    PeriodFactory,
    PersonFactory,
    UserFactory,
    kind,
)

Values = Mapping[str, object]


@dataclass
class Tree:
    """The shared organization tree (drawn in tests/conftest.py)."""

    group: Organization
    a: Organization
    a1: Organization
    a1a: Organization
    a1b: Organization
    b: Organization
    b1: Organization


def build_tree() -> Tree:
    """The tree, each organization with one member."""
    group = OrganizationFactory(code="G", name="集团党组", name_en="Group", kind=kind("group"))
    a = OrganizationFactory(
        code="A", name="甲公司党委", name_en="A Co.", kind=kind("committee"), parent=group
    )
    a1 = OrganizationFactory(
        code="A1",
        name="甲一党总支",
        name_en="A1 general branch",
        kind=kind("general_branch"),
        parent=a,
    )
    a1a = OrganizationFactory(code="A1a", name="甲一第一支部", name_en="A1a branch", parent=a1)
    a1b = OrganizationFactory(code="A1b", name="甲一第二支部", name_en="A1b branch", parent=a1)
    b = OrganizationFactory(
        code="B", name="乙公司党委", name_en="B Co.", kind=kind("committee"), parent=group
    )
    b1 = OrganizationFactory(code="B1", name="乙一支部", name_en="B1 branch", parent=b)
    for org in (group, a, a1, a1a, a1b, b, b1):
        PersonFactory(organization=org, name=f"{org.code}成员")
    return Tree(group, a, a1, a1a, a1b, b, b1)


# Each named user: their role and where (a field of Tree), or no role at all.
ROLES: dict[str, tuple[str, str] | None] = {
    "alice": ("secretary", "a1a"),
    "bob": ("secretary", "a1b"),
    "carol": ("reviewer", "a"),
    "dave": ("auditor", "a"),
    "erin": ("administrator", "group"),
    "frank": None,
}


def named_user(username: str, tree: Tree):
    """One of the named users (ROLES), with their role in `tree`."""
    user = UserFactory(username=username)
    if ROLES[username]:
        role, where = ROLES[username]
        assign_role(user=user, organization=getattr(tree, where), role=role)
    return user


def pdf(name: str = "minutes.pdf") -> SimpleUploadedFile:
    """A tiny file the evidence upload accepts as a PDF."""
    return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n", content_type="application/pdf")


def enter(
    period: Period,
    organization: Organization,
    values: Values,
    *,
    by,
    approved_by=None,
    evidence: Iterable[str] = ("C2.01",),
) -> Submission:
    """The organization's submission filled and submitted by `by`, with a PDF on each indicator
    of `evidence`; approved by `approved_by` if given, else left submitted."""
    from assessment.services import evidence as evidence_service
    from assessment.services import submissions

    submission = Submission.objects.get(period=period, organization=organization)
    submissions.save_values(submission, values, version=submission.version, acting_user=by)
    for code in evidence:
        evidence_service.add_evidence(submission, code, pdf(), acting_user=by)
    submission = submissions.submit(submission, acting_user=by)
    if approved_by is not None:
        submission = submissions.approve(submission, acting_user=approved_by)
    return submission


def store(
    period: Period,
    values: Mapping[Organization | int, Values],
    *,
    state: str = SubmissionState.APPROVED,
    at: datetime.datetime | None = None,
) -> list[Submission]:
    """Values written straight into the submissions of the organizations in `values` (given as
    organizations or their ids), which are put in `state`; with `at`, stamped as submitted and
    approved then. A value already stored for an indicator is replaced."""
    by_id = {getattr(org, "pk", org): entered for org, entered in values.items()}
    ids = dict(Indicator.objects.filter(framework=period.framework).values_list("code", "pk"))
    # The organizations' own submissions (not those of their members or departments).
    subjects = dict(
        Submission.objects.filter(
            period=period, organization_id__in=list(by_id), subject_unit="organization"
        ).values_list("organization_id", "pk")
    )
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(submission_id=subjects[org], indicator_id=ids[code], value=value)
            for org, entered in by_id.items()
            for code, value in entered.items()
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["submission", "indicator"],
        update_fields=["value"],
    )
    stamps = {"submitted_at": at, "approved_at": at} if at else {}
    Submission.objects.filter(pk__in=list(subjects.values())).update(state=state, **stamps)
    return list(Submission.objects.filter(pk__in=list(subjects.values())).order_by("pk"))


def roll_up(period: Period) -> Period:
    """The period scored and rolled up by `manage.py rollup`; the period as stored after it."""
    call_command("rollup", "--period", str(period.pk), verbosity=0)
    period.refresh_from_db()
    return period


def recompute(period: Period) -> ScoreRun:
    """A full recompute run in-process, as `manage.py rollup` does; its finished run."""
    from assessment.services import scores

    run = scores.start_full_recompute(period, trigger=ScoreRun.Trigger.COMMAND, enqueue=False)
    return scores.run_full_recompute(run.pk, token=run.task_id)


def approved_period(
    framework: Framework,
    year: int,
    entries: Mapping[Organization, tuple[object, Values]],
    *,
    reviewer,
) -> Period:
    """An opened period of `framework` in which each organization of `entries` had its values
    entered and submitted by the user beside them and approved by `reviewer`, rolled up."""
    period = PeriodFactory(framework=framework, year=year)
    for organization, (secretary, values) in entries.items():
        enter(period, organization, values, by=secretary, approved_by=reviewer)
    return roll_up(period)


def scored_period(
    framework: Framework,
    year: int,
    values: Mapping[Organization | int, Values],
    **period_fields,
) -> Period:
    """An opened period of `framework` whose submissions for the organizations in `values` hold
    those values and are approved (the others stay drafts), scored and rolled up."""
    from django.utils import timezone

    period = PeriodFactory(framework=framework, year=year, **period_fields)
    store(period, values, at=timezone.now())
    return roll_up(period)


# Values per branch code and year: C1.01 (study sessions, target 12) and C2.01 (meetings held).
SCORED_VALUES = {
    2025: {
        "A1a": {"C1.01": "4", "C2.01": "yes"},
        "A1b": {"C1.01": "12", "C2.01": "no"},
        "A1c": {"C1.01": "2", "C2.01": "yes"},
        "B1": {"C1.01": "9", "C2.01": "yes"},
    },
    2026: {
        "A1a": {"C1.01": "6", "C2.01": "yes"},
        "A1b": {"C1.01": "12", "C2.01": "no"},
        "A1c": {"C1.01": "3", "C2.01": "yes"},
        "B1": {"C1.01": "9", "C2.01": "yes"},
    },
}


@dataclass
class Scored:
    """The two periods and the extra branch."""

    previous: Period
    current: Period
    a1c: Organization


def build_scored(tree, erin, *, leave_submitted: tuple[str, ...] = ()) -> Scored:
    """Two yearly periods of the small framework over the shared tree (tests/conftest.py), 2025
    and 2026, both open, each branch's submission entered with SCORED_VALUES and approved by
    erin (administrator: enters and reviews everywhere), except the 2026 submissions of the
    branches in `leave_submitted`, left submitted; both rolled up.

    Branch A1c is added beside alice's and bob's branches, so that a branch has two peers in its
    own committee (a peer average over one peer would be that peer's score, and is not shown).
    """
    a1c = OrganizationFactory(code="A1c", name="甲一第三支部", name_en="A1c branch", parent=tree.a1)
    framework = FrameworkFactory()
    branches = {"A1a": tree.a1a, "A1b": tree.a1b, "A1c": a1c, "B1": tree.b1}
    made = []
    for year in (2025, 2026):
        period = PeriodFactory(framework=framework, year=year)
        for code, values in SCORED_VALUES[year].items():
            approve = year == 2025 or code not in leave_submitted
            enter(period, branches[code], values, by=erin, approved_by=erin if approve else None)
        made.append(roll_up(period))
    return Scored(previous=made[0], current=made[1], a1c=a1c)
