"""Factories of the assessment app: frameworks, periods, submissions and what hangs off them.

Frameworks and periods are made through their services (a framework document is validated and
published, a period is created and opened), so a test gets the rows the portal would have: an
opened period already holds its expected submissions. The rows below them (values, evidence,
transitions, notices, score runs) are plain model factories, for tests that set a state directly.
"""

import copy
import datetime

import factory
from django.core.files.base import ContentFile

from assessment.choices import SubmissionState
from assessment.models import (
    Evidence,
    Framework,
    IndicatorValue,
    Notice,
    Period,
    RollupSettings,
    ScoreRun,
    Submission,
    Transition,
)
from tests.framework_data import SMALL_FRAMEWORK

from .organizations import DepartmentFactory, OrganizationFactory, UserFactory


class FrameworkFactory(factory.django.DjangoModelFactory):
    """A framework loaded from `document` (the small test framework unless given), published
    unless ``published=False``."""

    class Meta:
        model = Framework

    document = factory.LazyFunction(lambda: copy.deepcopy(SMALL_FRAMEWORK))
    published = True

    @classmethod
    def _create(cls, model_class, *, document: dict, published: bool) -> Framework:
        from assessment import services

        framework = services.load_framework(document)
        return services.publish_framework(framework) if published else framework


class PeriodFactory(factory.django.DjangoModelFactory):
    """A yearly period of `year` (2026 unless given), its deadline on 15 January after it;
    opened (its submissions made) unless ``opened=False``."""

    class Meta:
        model = Period
        skip_postgeneration_save = True

    class Params:
        year = 2026

    framework = factory.SubFactory(FrameworkFactory)
    kind = "year"
    name = factory.LazyAttribute(lambda p: f"{p.year}年度")
    name_en = factory.LazyAttribute(lambda p: f"Year {p.year}")
    start = factory.LazyAttribute(lambda p: datetime.date(p.year, 1, 1))
    end = factory.LazyAttribute(lambda p: datetime.date(p.year, 12, 31))
    deadline = factory.LazyAttribute(lambda p: datetime.date(p.year + 1, 1, 15))

    @classmethod
    def _create(cls, model_class, **fields) -> Period:
        from assessment.services import periods

        return periods.create_period(**fields)

    @factory.post_generation
    def opened(period: Period, create: bool, extracted: bool | None, **kwargs) -> None:
        if create and extracted is not False:
            from assessment.services import periods

            periods.open_period(period)
            period.refresh_from_db()


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A submission added by hand beside those a period opened with: a branch's by default, a
    department's with ``for_department=True``."""

    class Meta:
        model = Submission

    class Params:
        for_department = factory.Trait(
            subject_kind="department",
            subject_unit="department",
            department=factory.SubFactory(
                DepartmentFactory, organization=factory.SelfAttribute("..organization")
            ),
        )

    period = factory.SubFactory(PeriodFactory)
    organization = factory.SubFactory(OrganizationFactory)
    subject_kind = "branch"
    subject_unit = "organization"
    subject_name = factory.LazyAttribute(lambda s: s.organization.name)
    state = SubmissionState.DRAFT


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    submission = factory.SubFactory(SubmissionFactory)
    indicator = factory.LazyAttribute(
        lambda v: v.submission.period.framework.indicators.order_by("pk").first()
    )
    value = None


class EvidenceFactory(factory.django.DjangoModelFactory):
    """An evidence file stored without the upload checks (its bytes are a stub PDF)."""

    class Meta:
        model = Evidence

    submission = factory.SubFactory(SubmissionFactory)
    indicator = factory.LazyAttribute(
        lambda e: e.submission.period.framework.indicators.get(code="C2.01")
    )
    file = factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4", name="x.pdf"))
    original_name = "minutes.pdf"
    content_type = "application/pdf"
    size = 8
    sha256 = "0" * 64
    uploaded_by = factory.SubFactory(UserFactory)


class TransitionFactory(factory.django.DjangoModelFactory):
    """A step of a submission's history; a return (with its reason) by default."""

    class Meta:
        model = Transition

    submission = factory.SubFactory(SubmissionFactory)
    from_state = SubmissionState.SUBMITTED
    to_state = SubmissionState.RETURNED
    by = factory.SubFactory(UserFactory)
    reason = ""


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notice

    user = factory.SubFactory(UserFactory)
    kind = "reminder"
    submission = factory.SubFactory(SubmissionFactory)


class ScoreRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoreRun

    period = factory.SubFactory(PeriodFactory)
    trigger = ScoreRun.Trigger.MANUAL


class RollupSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RollupSettings

    framework_code = SMALL_FRAMEWORK["code"]
