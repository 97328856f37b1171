"""Factories of the rectification app: items to rectify and their evidence files."""

import factory
from django.core.files.base import ContentFile

from rectification.models import Rectification, RectificationEvidence

from .assessment import PeriodFactory
from .organizations import OrganizationFactory, UserFactory


class RectificationFactory(factory.django.DjangoModelFactory):
    """An item opened by hand (not from a score), below the threshold unless told otherwise."""

    class Meta:
        model = Rectification

    organization = factory.SubFactory(OrganizationFactory)
    period = factory.SubFactory(PeriodFactory)
    indicator_code = factory.Sequence(lambda n: f"X{n}")
    source = Rectification.Source.THRESHOLD


class RectificationEvidenceFactory(factory.django.DjangoModelFactory):
    """An evidence file stored without the upload checks (its bytes are a stub PDF)."""

    class Meta:
        model = RectificationEvidence

    rectification = factory.SubFactory(RectificationFactory)
    file = factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4", name="upload"))
    original_name = "report.pdf"
    content_type = "application/pdf"
    size = 8
    sha256 = "0" * 64
    uploaded_by = factory.SubFactory(UserFactory)
