"""The one access scope: who sees which organizations and the rows hanging from them."""

import pytest

from organizations.models import Organization, Person, RoleAssignment
from organizations.scope import can, scope_prefixes
from organizations.services import assign_role, move_organization
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


def test_secretary_sees_only_their_branch(tree, alice):
    assert codes(Organization.objects.restrict(alice)) == {"A1a"}


def test_secretary_never_sees_a_sibling_branch(tree, alice):
    assert not Organization.objects.restrict(alice).filter(pk=tree.a1b.pk).exists()
    assert not Person.objects.restrict(alice).filter(organization=tree.a1b).exists()


def test_reviewer_sees_exactly_the_subtree(tree, carol):
    assert codes(Organization.objects.restrict(carol)) == {"A", "A1", "A1a", "A1b"}


def test_reviewer_sees_people_of_the_subtree_only(tree, carol):
    people = Person.objects.restrict(carol)
    assert set(people.values_list("organization__code", flat=True)) == {"A", "A1", "A1a", "A1b"}


def test_administrator_on_the_root_sees_everything(tree, erin):
    assert Organization.objects.restrict(erin).count() == Organization.objects.count()


def test_user_without_roles_sees_nothing(tree, frank):
    assert not Organization.objects.restrict(frank).exists()


def test_anonymous_user_sees_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    assert not Organization.objects.restrict(AnonymousUser()).exists()


def test_superuser_is_unrestricted(tree):
    root = UserFactory(username="root", superuser=True)
    assert scope_prefixes(root) is None
    assert Organization.objects.restrict(root).count() == 7


def test_inactive_user_sees_nothing(tree, alice):
    alice.is_active = False
    assert not Organization.objects.restrict(alice).exists()


def test_actions_follow_the_role(tree, alice, carol, dave):
    assert can(alice, "enter", tree.a1a)
    assert not can(alice, "review", tree.a1a)
    assert can(carol, "review", tree.a1a)
    assert not can(carol, "enter", tree.a1a)
    assert can(dave, "audit", tree.a1b)
    assert not Organization.objects.restrict(dave, "review").exists()


def test_nested_grants_collapse_to_the_outer_subtree(tree, carol):
    assign_role(user=carol, organization=tree.a1, role="reviewer")
    assert scope_prefixes(carol, "review") == [tree.a.path]


def test_grants_on_two_subtrees_combine(tree, alice):
    assign_role(user=alice, organization=tree.b1, role="secretary")
    assert codes(Organization.objects.restrict(alice)) == {"A1a", "B1"}


def test_roles_on_a_deactivated_organization_grant_nothing(tree, alice):
    Organization.objects.filter(pk=tree.a1a.pk).update(is_active=False)
    alice.refresh_from_db()
    assert not Organization.objects.restrict(alice).exists()


def test_role_assignments_are_scoped_too(tree, alice, bob, carol):
    visible = RoleAssignment.objects.restrict(carol)
    assert set(visible.values_list("user__username", flat=True)) == {"alice", "bob", "carol"}
    assert set(RoleAssignment.objects.restrict(alice).values_list("user__username", flat=True)) == {
        "alice"
    }


def test_moving_a_subtree_moves_the_scope_with_it(tree, carol):
    move_organization(tree.b1, tree.a1)
    assert "B1" in codes(Organization.objects.restrict(carol))


def test_group_administrator_is_an_administrator_on_a_root(tree, erin, carol):
    from organizations.scope import is_group_administrator

    assert is_group_administrator(erin)
    assert not is_group_administrator(carol)
    scoped_admin = UserFactory(username="sub-admin")
    assign_role(user=scoped_admin, organization=tree.a, role="administrator")
    assert not is_group_administrator(scoped_admin)
