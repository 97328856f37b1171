"""Factories of the organizations app: users, organizations, departments, people, roles."""

import factory
from django.contrib.auth import get_user_model

from organizations.choices import PersonKind
from organizations.models import (
    Department,
    LeadingGroup,
    Organization,
    OrganizationKind,
    Person,
    RoleAssignment,
)

PASSWORD = "correct-horse-battery"


def kind(code: str) -> OrganizationKind:
    from organizations.services import ensure_default_kinds

    ensure_default_kinds()
    return OrganizationKind.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    """A user who signs in with PASSWORD; a superuser (and staff) with ``superuser=True``."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    class Params:
        superuser = factory.Trait(is_superuser=True, is_staff=True)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"ORG{n:04d}")
    name = factory.Sequence(lambda n: f"第{n}党支部")
    name_en = factory.Sequence(lambda n: f"Branch {n}")
    kind = factory.LazyFunction(lambda: kind("branch"))
    parent = None


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"部门{n}")


class LeadingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadingGroup

    organization = factory.SubFactory(OrganizationFactory)
    name = "领导班子"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"张{n}")
    employee_number = factory.Sequence(lambda n: f"E{n:06d}")
    organization = factory.SubFactory(OrganizationFactory)
    kind = PersonKind.MEMBER


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "secretary"
