"""Demo and synthetic data: seed_demo, demo_logins and seed_synthetic."""

import shutil
import subprocess
from io import StringIO
from itertools import pairwise

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q

from organizations.choices import PersonKind, PersonStatus, Role
from organizations.models import LeadingGroup, Organization, Person, RoleAssignment
from partybuild.demo import organizations as demo
from partybuild.management.commands import seed_demo as seed_demo_command

pytestmark = pytest.mark.django_db

SMALL = "0.1"  # people scale for tests that load the demo themselves, not 6,000 people


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def kind_counts(root: Organization) -> dict[str, int]:
    rows = Organization.objects.subtree(root).values_list("kind__code").annotate(n=Count("id"))
    return dict(rows)


def assert_paths_follow_parents(orgs) -> None:
    by_id = {org.pk: org for org in orgs}
    for org in orgs:
        parent_path = by_id[org.parent_id].path if org.parent_id else "/"
        assert org.path == f"{parent_path}{org.pk}/", org.code
        assert org.depth == (by_id[org.parent_id].depth + 1 if org.parent_id else 0), org.code


# --- seed_demo -----------------------------------------------------------------------------------


def test_demo_has_the_shape_of_the_seed_document(demo_group):
    group = Organization.objects.get(code=demo.DEMO_GROUP_CODE)
    assert group.name == "中国电子科技集团有限公司党组"
    assert kind_counts(group) == {"group": 1, "committee": 8, "general_branch": 40, "branch": 200}
    assert Organization.objects.get(code="CETC14").name == "第十四研究所党委"
    assert LeadingGroup.objects.count() == 8
    assert all(lg.members.count() == demo.LEADING_GROUP_SIZE for lg in LeadingGroup.objects.all())
    assert_paths_follow_parents(list(Organization.objects.all()))


def test_demo_people_are_plausible(demo_group):
    people = Person.objects.all()
    total = people.count()
    assert 5_500 <= total <= 6_500
    party = people.exclude(kind=PersonKind.STAFF).count()
    assert 0.70 <= party / total <= 0.80
    assert people.filter(kind=PersonKind.PROBATIONARY).exists()
    assert people.filter(status=PersonStatus.ACTIVE).count() / total > 0.9
    assert not people.filter(kind=PersonKind.STAFF, party_member_since__isnull=False).exists()
    assert not people.exclude(kind=PersonKind.STAFF).filter(party_member_since=None).exists()
    assert len(set(people.values_list("employee_number", flat=True))) == total


def test_every_demo_branch_has_between_3_and_50_members(demo_group):
    branches = Organization.objects.filter(kind__code="branch").annotate(
        party=Count("people", filter=~Q(people__kind=PersonKind.STAFF)),
        full=Count("people", filter=Q(people__kind=PersonKind.MEMBER)),
    )
    assert all(b.full >= 3 and b.party <= 50 for b in branches)


def test_demo_accounts_hold_their_roles(demo_group):
    users = {u.username: u for u in get_user_model().objects.all()}
    roles = {
        (ra.user.username, ra.role, ra.organization.code)
        for ra in RoleAssignment.objects.select_related("user", "organization")
    }
    assert roles == {
        ("admin", Role.ADMINISTRATOR, "CETC"),
        ("reviewer", Role.REVIEWER, "CETC"),
        ("committee", Role.REVIEWER, "CETC14"),
        ("auditor", Role.AUDITOR, "CETC"),
        ("inspector", Role.INSPECTOR, "CETC"),
        ("finance", Role.FINANCE, "CETC"),
        ("secretary", Role.SECRETARY, "CETC14-01-01"),
        ("secretary2", Role.SECRETARY, "CETC14-01-02"),
    }
    assert users["admin"].is_superuser
    assert not any(
        users[name].is_superuser
        for name in ("reviewer", "committee", "auditor", "inspector", "finance", "secretary")
    )
    assert all(user.check_password("partybuild-demo") for user in users.values())


def test_the_two_secretaries_hold_sibling_branches(demo_group):
    first, second = (
        Organization.objects.get(code=code) for code in ("CETC14-01-01", "CETC14-01-02")
    )
    assert first.parent_id == second.parent_id
    assert first.kind.code == second.kind.code == "branch"


def test_the_secretary_sees_exactly_their_branch(demo_group):
    secretary = get_user_model().objects.get(username="secretary")
    visible = Organization.objects.restrict(secretary)
    assert list(visible.values_list("code", flat=True)) == ["CETC14-01-01"]
    people = Person.objects.restrict(secretary)
    assert people.exists()
    assert set(people.values_list("organization__code", flat=True)) == {"CETC14-01-01"}


def test_a_second_run_changes_nothing(demo_group):
    """GIVEN a loaded demo whose admin changed the password, WHEN seed_demo runs again,
    THEN nothing is created and the password stays."""
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("changed-by-the-admin")
    admin.save()
    before = (Organization.objects.count(), Person.objects.count(), RoleAssignment.objects.count())

    output = run("seed_demo")

    after = (Organization.objects.count(), Person.objects.count(), RoleAssignment.objects.count())
    assert after == before
    assert "CETC" in output
    admin.refresh_from_db()
    assert admin.check_password("changed-by-the-admin")


def test_the_assessment_hook_runs_on_every_run(monkeypatch):
    calls = []
    monkeypatch.setattr(
        seed_demo_command.Command, "load_assessment_demo", lambda self: calls.append(1)
    )
    run("seed_demo", "--scale", SMALL)
    run("seed_demo", "--scale", SMALL)
    assert len(calls) == 2


def test_seed_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="DJANGO_ENV=production"):
        run("seed_demo", "--scale", SMALL)
    assert not Organization.objects.exists()
    assert not get_user_model().objects.exists()


def test_demo_people_scale_down_but_the_tree_stays():
    run("seed_demo", "--scale", SMALL)
    group = Organization.objects.get(code=demo.DEMO_GROUP_CODE)
    assert kind_counts(group)["branch"] == 200
    assert Person.objects.count() < 1_500


# --- demo_logins ---------------------------------------------------------------------------------


def test_demo_logins_lists_every_account_with_the_url(demo_group):
    output = run("demo_logins")
    for username in (
        "admin",
        "reviewer",
        "committee",
        "secretary",
        "secretary2",
        "auditor",
        "inspector",
        "finance",
    ):
        assert username in output
    assert "partybuild-demo" in output
    assert "CETC14-01-01" in output
    assert "http://127.0.0.1:8000/" in output


def test_demo_logins_names_the_address_the_portal_serves_on(demo_group):
    addresses = {
        "127.0.0.1:8123": "http://127.0.0.1:8123/",
        "8124": "http://127.0.0.1:8124/",
        "0.0.0.0:8125": "http://127.0.0.1:8125/",  # listening everywhere: reached on loopback
        "[::1]:8126": "http://[::1]:8126/",
    }
    for addrport, url in addresses.items():
        output = run("demo_logins", addrport)

        assert url in output
        assert ":8000" not in output


def test_demo_logins_refuses_an_address_without_a_port():
    with pytest.raises(CommandError):
        run("demo_logins", "localhost")


def test_make_run_gives_the_server_and_the_demo_logins_the_same_port():
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    plan = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", "PORT=8123"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        check=True,
        text=True,
    ).stdout

    assert "demo_logins 127.0.0.1:8123" in plan
    assert "serve 127.0.0.1:8123" in plan


def test_seed_demo_prints_its_progress_in_a_few_lines():
    output = run("seed_demo", "--scale", SMALL)

    lines = output.splitlines()
    assert len(lines) <= 15, output
    assert lines[0].startswith("正在加载演示数据")  # said before the long wait, not after it
    assert any("演示数据已加载" in line for line in lines)


def test_demo_logins_flags_a_changed_password(demo_group):
    user = get_user_model().objects.get(username="auditor")
    user.set_password("another-password-entirely")
    user.save()
    logins = {login.username: login for login in demo.demo_logins()}
    assert not logins["auditor"].password_unchanged
    assert logins["admin"].password_unchanged


def test_demo_logins_says_when_the_demo_is_missing():
    output = run("demo_logins")
    assert "seed_demo" in output
    assert "partybuild-demo" not in output


# --- seed_synthetic ------------------------------------------------------------------------------


@pytest.mark.parametrize("total", [5, 6, 50, 999, 1234, 10_000, 123_457])
def test_level_sizes_add_up_to_exactly_n(total):
    sizes = demo.synthetic_level_sizes(total)
    assert sum(sizes) == total
    assert len(sizes) == 5
    assert sizes[0] == 1
    assert all(child >= parent for parent, child in pairwise(sizes))


def test_ten_thousand_fans_out_evenly():
    assert demo.synthetic_level_sizes(10_000) == [1, 10, 100, 1000, 8889]


def test_fewer_than_five_organizations_is_refused():
    with pytest.raises(CommandError, match="5"):
        run("seed_synthetic", "--orgs", "4")


def test_synthetic_tree_has_exactly_n_orgs_with_correct_paths():
    run("seed_synthetic", "--orgs", "1234", "--seed", "7", "--people-per-branch", "2")
    orgs = list(Organization.objects.select_related("kind"))
    assert len(orgs) == 1234
    assert all(org.code.startswith(demo.SYNTHETIC_ROOT_CODE) for org in orgs)
    assert_paths_follow_parents(orgs)
    kinds_by_depth = {(org.depth, org.kind.code) for org in orgs}
    assert kinds_by_depth == {
        (0, "group"),
        (1, "committee"),
        (2, "committee"),
        (3, "general_branch"),
        (4, "branch"),
    }
    branches = sum(1 for org in orgs if org.kind.code == "branch")
    assert Person.objects.count() == 2 * branches
    assert not Organization.objects.filter(kind__code="branch", children__isnull=False).exists()


def test_same_seed_gives_the_same_tree():
    """GIVEN a synthetic tree, WHEN it is replaced by one of the same seed (new ids),
    THEN the content is identical; another seed gives another tree."""
    run("seed_synthetic", "--orgs", "600", "--seed", "3", "--people-per-branch", "2")
    first = demo.tree_digest(demo.SYNTHETIC_ROOT_CODE)
    first_ids = set(Organization.objects.values_list("id", flat=True))

    run("seed_synthetic", "--orgs", "600", "--seed", "3", "--people-per-branch", "2", "--replace")

    assert demo.tree_digest(demo.SYNTHETIC_ROOT_CODE) == first
    assert first_ids.isdisjoint(Organization.objects.values_list("id", flat=True))
    run("seed_synthetic", "--orgs", "600", "--seed", "4", "--people-per-branch", "2", "--replace")
    assert demo.tree_digest(demo.SYNTHETIC_ROOT_CODE) != first


def test_the_plan_is_deterministic_without_a_database():
    assert demo.plan_synthetic_tree(2000, 11) == demo.plan_synthetic_tree(2000, 11)
    assert demo.plan_synthetic_tree(2000, 11) != demo.plan_synthetic_tree(2000, 12)


def test_a_second_synthetic_run_needs_replace():
    run("seed_synthetic", "--orgs", "50", "--people-per-branch", "1")
    with pytest.raises(CommandError, match="--replace"):
        run("seed_synthetic", "--orgs", "50", "--people-per-branch", "1")
    assert Organization.objects.count() == 50


def test_replacing_the_synthetic_tree_leaves_the_demo_alone():
    run("seed_demo", "--scale", SMALL)
    demo_digest = demo.tree_digest(demo.DEMO_GROUP_CODE)
    run("seed_synthetic", "--orgs", "80", "--people-per-branch", "3")
    run("seed_synthetic", "--orgs", "90", "--people-per-branch", "3", "--replace")
    assert demo.tree_digest(demo.DEMO_GROUP_CODE) == demo_digest
    root = Organization.objects.get(code=demo.SYNTHETIC_ROOT_CODE)
    assert Organization.objects.subtree(root).count() == 90


def test_seed_synthetic_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="DJANGO_ENV=production"):
        run("seed_synthetic", "--orgs", "50")
    assert not Organization.objects.exists()
