"""Factories of the records app: meetings and attendance, talks, dues, study, negative events.

Plain model factories: rows are written as given, without the services' checks (open period,
membership on the day, scope), for tests that need records to exist. Tests of the rules go
through `records.services`.
"""

import copy
import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import factory
import yaml
from django.conf import settings
from django.core.files.base import ContentFile

from records.choices import (
    NegativeCategory,
    PointsKind,
    PointsState,
    Presence,
    Severity,
    StudyKind,
)
from records.models import (
    Attendance,
    DecisionDocument,
    DuesPayment,
    Meeting,
    MeetingAttachment,
    NegativeEvent,
    PointsEntry,
    StudyRecord,
    Talk,
)
from tests.framework_data import SMALL_FRAMEWORK

from .organizations import OrganizationFactory, PersonFactory, UserFactory

DAY = datetime.date(2026, 3, 10)


@cache
def _records_section() -> dict:
    path = Path(settings.BASE_DIR) / "assessment" / "data" / "framework.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["records"]


def framework_with_records() -> dict:
    """The small test framework with the records section of the real one (meeting kinds, dues
    bands, points rules): `FrameworkFactory(document=framework_with_records())`."""
    return {**copy.deepcopy(SMALL_FRAMEWORK), "records": copy.deepcopy(_records_section())}


class MeetingFactory(factory.django.DjangoModelFactory):
    """A branch committee meeting on 10 March 2026 (a kind of the framework's records section)."""

    class Meta:
        model = Meeting

    organization = factory.SubFactory(OrganizationFactory)
    kind = "committee_meeting"
    date = DAY
    topic = factory.Sequence(lambda n: f"会议议题{n}")
    place = "党员活动室"
    created_by = factory.SubFactory(UserFactory)


class AttendanceFactory(factory.django.DjangoModelFactory):
    """One person's attendance, present unless told; a member of the meeting's organization."""

    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(
        PersonFactory, organization=factory.SelfAttribute("..meeting.organization")
    )
    presence = Presence.PRESENT
    reason = factory.LazyAttribute(lambda a: "出差" if a.presence == Presence.EXCUSED else "")


class MeetingAttachmentFactory(factory.django.DjangoModelFactory):
    """A meeting's photo stored without the upload checks (a stub JPEG)."""

    class Meta:
        model = MeetingAttachment

    meeting = factory.SubFactory(MeetingFactory)
    file = factory.LazyFunction(lambda: ContentFile(b"\xff\xd8\xff\xe0stub", name="upload"))
    original_name = "现场.jpg"
    content_type = "image/jpeg"
    size = 8
    sha256 = "2" * 64
    uploaded_by = factory.SubFactory(UserFactory)


class TalkFactory(factory.django.DjangoModelFactory):
    """A talk between two members of the organization."""

    class Meta:
        model = Talk

    organization = factory.SubFactory(OrganizationFactory)
    talker = factory.SubFactory(PersonFactory, organization=factory.SelfAttribute("..organization"))
    partner = factory.SubFactory(
        PersonFactory, organization=factory.SelfAttribute("..organization")
    )
    date = DAY
    topic = factory.Sequence(lambda n: f"谈心谈话{n}")
    created_by = factory.SubFactory(UserFactory)


class DuesPaymentFactory(factory.django.DjangoModelFactory):
    """March 2026's dues of a member on a base of 4,000 at 1 %, paid in full on time."""

    class Meta:
        model = DuesPayment

    person = factory.SubFactory(PersonFactory)
    organization = factory.SelfAttribute("person.organization")
    month = datetime.date(2026, 3, 1)
    base = Decimal("4000.00")
    rate = Decimal("0.0100")
    due = factory.LazyAttribute(lambda d: (d.base * d.rate).quantize(Decimal("0.01")))
    paid = factory.SelfAttribute("due")
    paid_on = datetime.date(2026, 3, 15)
    updated_by = factory.SubFactory(UserFactory)


class StudyRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyRecord

    person = factory.SubFactory(PersonFactory)
    organization = factory.SelfAttribute("person.organization")
    date = DAY
    kind = StudyKind.COURSE
    title = factory.Sequence(lambda n: f"专题培训{n}")
    hours = Decimal("2.0")
    created_by = factory.SubFactory(UserFactory)


class NegativeEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NegativeEvent

    organization = factory.SubFactory(OrganizationFactory)
    category = NegativeCategory.DISCIPLINE
    severity = Severity.MINOR
    date = DAY
    title = factory.Sequence(lambda n: f"违纪事件{n}")
    entered_by = factory.SubFactory(UserFactory)


class DecisionDocumentFactory(factory.django.DjangoModelFactory):
    """A negative event's decision document stored without the upload checks (a stub PDF)."""

    class Meta:
        model = DecisionDocument

    event = factory.SubFactory(NegativeEventFactory)
    file = factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4", name="upload"))
    original_name = "决定.pdf"
    content_type = "application/pdf"
    size = 8
    sha256 = "1" * 64
    uploaded_by = factory.SubFactory(UserFactory)


class PointsEntryFactory(factory.django.DjangoModelFactory):
    """An award of March 2026 proposed by the member's secretary, awaiting approval from above."""

    class Meta:
        model = PointsEntry

    person = factory.SubFactory(PersonFactory)
    organization = factory.SelfAttribute("person.organization")
    month = datetime.date(2026, 3, 1)
    kind = PointsKind.AWARD
    points = Decimal("1.0")
    reason = "志愿服务"
    state = PointsState.PROPOSED
    entered_by = factory.SubFactory(UserFactory)
