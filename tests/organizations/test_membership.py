"""The membership history: who belonged to which organization on which day.

Records of party life count the people expected at a meeting from it, so it must follow every way
a person's organization or status changes: a save, the people import, the demo's bulk insert.
"""

import datetime

import pytest
from django.utils import timezone

from organizations.choices import PersonStatus
from organizations.importers import PEOPLE
from organizations.models import Membership, Person
from organizations.services.imports import import_file

from ..factories import PersonFactory
from .test_import import PEOPLE_HEADER, csv_file

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


def history(person: Person) -> list[tuple[str, datetime.date | None, datetime.date | None]]:
    rows = Membership.objects.filter(person=person).select_related("organization")
    return [(m.organization.code, m.start, m.end) for m in rows.order_by("id")]


def test_a_new_person_belongs_since_before_any_record(tree):
    person = PersonFactory(organization=tree.a1a)

    assert history(person) == [("A1a", None, None)]


def test_a_move_closes_the_old_membership_yesterday_and_opens_the_new_one_today(tree):
    person = PersonFactory(organization=tree.a1a)

    person.organization = tree.a1b
    person.save()

    assert history(person) == [("A1a", None, YESTERDAY), ("A1b", TODAY, None)]
    held = Membership.objects.filter(person=person)
    assert list(held.on(YESTERDAY).values_list("organization", flat=True)) == [tree.a1a.pk]
    assert list(held.on(TODAY).values_list("organization", flat=True)) == [tree.a1b.pk]


def test_saving_without_a_change_leaves_the_history_alone(tree):
    person = PersonFactory(organization=tree.a1a)
    person.name = "改名"
    person.save()
    person.save()

    assert history(person) == [("A1a", None, None)]


def test_a_member_transferred_out_of_the_group_leaves_and_a_retired_one_stays(tree):
    leaving = PersonFactory(organization=tree.a1a)
    retiring = PersonFactory(organization=tree.a1a)

    leaving.status = PersonStatus.TRANSFERRED
    leaving.save()
    retiring.status = PersonStatus.RETIRED
    retiring.save()

    assert history(leaving) == [("A1a", None, YESTERDAY)]
    assert history(retiring) == [("A1a", None, None)]


def test_a_person_who_comes_back_starts_again_today(tree):
    person = PersonFactory(organization=tree.a1a)
    person.status = PersonStatus.INACTIVE
    person.save()
    person.status = PersonStatus.ACTIVE
    person.save()

    assert history(person) == [("A1a", None, YESTERDAY), ("A1a", TODAY, None)]


def test_the_people_import_opens_memberships_for_new_people_and_moves_transferred_ones(tree):
    stays = PersonFactory(organization=tree.a1a, employee_number="P1")
    moves = PersonFactory(organization=tree.a1a, employee_number="P2")
    data = csv_file(
        PEOPLE_HEADER,
        "P1,留下,A1a,,member,2010-01-01,active",
        "P2,调动,A1b,,member,2010-01-01,active",
        "P3,新人,A1b,,member,2020-01-01,active",
        "P4,离开,A1b,,member,2020-01-01,transferred",
    )

    plan = import_file(PEOPLE, data, "people.csv")

    assert plan.ok, plan.errors
    assert history(stays) == [("A1a", None, None)]
    assert history(moves) == [("A1a", None, YESTERDAY), ("A1b", TODAY, None)]
    assert history(Person.objects.get(employee_number="P3")) == [("A1b", None, None)]
    assert history(Person.objects.get(employee_number="P4")) == []


def test_open_missing_is_one_statement_and_idempotent(tree, django_assert_num_queries):
    people = [
        Person(employee_number=f"B{n}", name=f"人{n}", organization=tree.a1a, kind="member")
        for n in range(50)
    ]
    Person.objects.bulk_create(people)  # bypasses save(), as the demo's bulk insert does

    with django_assert_num_queries(1):
        opened = Membership.objects.open_missing()

    assert opened == 50
    assert Membership.objects.open_missing() == 0
    opened_rows = Membership.objects.filter(person__employee_number__startswith="B")
    assert opened_rows.filter(organization=tree.a1a, start=None, end=None).count() == 50
