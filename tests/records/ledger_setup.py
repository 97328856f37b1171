"""What the ledger tests share (dues, study, points, their imports and API): the year 2026 open
under a framework whose records section is the real one (dues bands, points rules), and branch
A1a's members with known employee numbers.

Fixtures are imported by the test modules that use them.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from organizations.models import Membership, Person
from tests.factories import FrameworkFactory, PeriodFactory, PersonFactory
from tests.factories.records import framework_with_records

MARCH = datetime.date(2026, 3, 1)


@pytest.fixture
def english():
    """Messages are matched in English (the source language); Chinese ones where said."""
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(client_for):
    """Pages and the API answer in the language the request asks for: English here, unless a
    test asks for Chinese (``client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"``)."""

    def login(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return login


@pytest.fixture
def records_period(tree):
    """2026, open, under the small framework with the real records section."""
    return PeriodFactory(framework=FrameworkFactory(document=framework_with_records()), year=2026)


@pytest.fixture
def members(tree, records_period) -> dict[str, Person]:
    """A1a's party members P001 (王芳), P002 (李强, retired: still a member) and P003 (赵六,
    probationary), a member of staff S001; B1's member P900 (outside alice's scope)."""
    return {
        "P001": PersonFactory(organization=tree.a1a, name="王芳", employee_number="P001"),
        "P002": PersonFactory(
            organization=tree.a1a, name="李强", employee_number="P002", status="retired"
        ),
        "P003": PersonFactory(
            organization=tree.a1a, name="赵六", employee_number="P003", kind="probationary"
        ),
        "S001": PersonFactory(
            organization=tree.a1a, name="职工", employee_number="S001", kind="staff"
        ),
        "P900": PersonFactory(organization=tree.b1, name="外人", employee_number="P900"),
    }


def transfer(person: Person, to, day: datetime.date) -> None:
    """The person moves to `to` on `day`: the old membership closes the day before."""
    Person.objects.filter(pk=person.pk).update(organization=to)
    person.refresh_from_db()
    Membership.objects.follow([person], day=day)


def money(text: str) -> Decimal:
    return Decimal(text)
