"""Factories of the standards app's rows: one of each, hanging from an organization, written
without the services (the services' own tests go through them)."""

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from standards.models import (
    FollowUp,
    MemberAppraisal,
    MemberGrade,
    SecretaryReport,
    SecretaryReportDocument,
    StarRating,
    TermResult,
    Title,
)

from .organizations import OrganizationFactory, PersonFactory, UserFactory


class TitleFactory(factory.django.DjangoModelFactory):
    """A proposed title for an organization's own submission."""

    class Meta:
        model = Title

    submission = None  # required: a submission of the period
    period = factory.SelfAttribute("submission.period")
    organization = factory.SelfAttribute("submission.organization")
    subject_kind = factory.SelfAttribute("submission.subject_kind")
    subject_name = factory.SelfAttribute("submission.subject_name")
    standard = "party_organization"
    score = 95.0
    proposed_at = factory.LazyFunction(timezone.now)


class StarRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StarRating

    period = None  # required
    organization = factory.SubFactory(OrganizationFactory)
    score = 88.0
    band_stars = 4
    proposed = 4
    proposed_at = factory.LazyFunction(timezone.now)


class MemberAppraisalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberAppraisal

    period = None  # required
    organization = factory.SubFactory(OrganizationFactory)
    top_share = 1 / 3


class MemberGradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberGrade

    appraisal = factory.SubFactory(MemberAppraisalFactory)
    person = factory.SubFactory(
        PersonFactory, organization=factory.SelfAttribute("..appraisal.organization")
    )
    score = 65.0
    rank = 1
    proposed = "basic"
    grade = "basic"


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    grade = factory.SubFactory(MemberGradeFactory)
    organization = factory.SelfAttribute("grade.appraisal.organization")
    person = factory.SelfAttribute("grade.person")
    step = "talk"
    due = factory.LazyFunction(lambda: timezone.localdate())


class SecretaryReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SecretaryReport

    period = None  # required
    organization = factory.SubFactory(OrganizationFactory)
    secretary_name = "李书记"


class SecretaryReportDocumentFactory(factory.django.DjangoModelFactory):
    """The report as a stub PDF, stored without the upload checks."""

    class Meta:
        model = SecretaryReportDocument

    report = factory.SubFactory(SecretaryReportFactory)
    file = factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4\n%stub\n", name="upload"))
    original_name = "述职报告.pdf"
    content_type = "application/pdf"
    size = 15
    sha256 = "3" * 64
    uploaded_by = factory.SubFactory(UserFactory)


class TermResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TermResult

    organization = factory.SubFactory(OrganizationFactory)
    first_year = 2024
    last_year = 2026
    computed_at = factory.LazyFunction(timezone.now)
