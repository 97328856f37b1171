"""The organization tree: materialized paths, subtree and ancestor queries, moves."""

import pytest

from organizations.models import Organization
from organizations.services import TreeError, move_organization

pytestmark = pytest.mark.django_db


def test_paths_and_depths_follow_the_parents(tree):
    assert tree.group.path == f"/{tree.group.pk}/"
    assert tree.a1a.path == f"{tree.a1.path}{tree.a1a.pk}/"
    assert [tree.group.depth, tree.a.depth, tree.a1.depth, tree.a1a.depth] == [0, 1, 2, 3]


def test_subtree_is_a_prefix_lookup(tree):
    codes = set(Organization.objects.subtree(tree.a).values_list("code", flat=True))
    assert codes == {"A", "A1", "A1a", "A1b"}
    assert "A" not in set(
        Organization.objects.subtree(tree.a, include_self=False).values_list("code", flat=True)
    )


def test_ancestors_come_root_first_without_recursion(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        ancestors = list(Organization.objects.ancestors_of(tree.a1a))
    assert [o.code for o in ancestors] == ["G", "A", "A1"]


def test_a_prefix_does_not_match_a_longer_id(tree):
    # /1/ must not match /10/: the trailing separator keeps ids whole.
    assert all(p.endswith("/") for p in Organization.objects.values_list("path", flat=True))


def test_move_rewrites_the_whole_subtree(tree):
    move_organization(tree.a1, tree.b)
    tree.a1a.refresh_from_db()
    assert tree.a1a.path.startswith(tree.b.path)
    assert tree.a1a.depth == 3
    assert set(Organization.objects.subtree(tree.b).values_list("code", flat=True)) == {
        "B",
        "B1",
        "A1",
        "A1a",
        "A1b",
    }


def test_move_under_own_descendant_is_refused(tree):
    with pytest.raises(TreeError):
        move_organization(tree.a, tree.a1a)
    tree.a.refresh_from_db()
    assert tree.a.parent_id == tree.group.pk


def test_move_to_root(tree):
    move_organization(tree.b, None)
    tree.b1.refresh_from_db()
    assert tree.b1.path == f"/{tree.b.pk}/{tree.b1.pk}/"
    assert tree.b1.depth == 1
