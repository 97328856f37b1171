"""A dashboard page costs the same number of queries with 10 children as with 2,000.

Each wide tree is a group, one committee and N branches under it, inserted in bulk
(`partybuild.demo.organizations.insert_tree`); two yearly periods are opened and rolled up with
every branch's submission approved (scored on no values: the numbers do not matter here, the rows
do), and a third of them left submitted in the current period for the switch. The trees and
scores are built once for the module and shared (tests/shared_rows.py): each test only signs in.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.choices import SubmissionState
from assessment.models import Submission
from organizations.models import Organization
from organizations.services import assign_role
from partybuild.demo.organizations import OrgSpec, insert_tree
from tests.builders import roll_up
from tests.factories import FrameworkFactory, PeriodFactory, UserFactory
from tests.shared_rows import building, shared_rows

pytestmark = pytest.mark.django_db

# Sign-in (session, user), the scope's grants, and the page's own reads.
MAX_QUERIES = 22


def wide_tree(code: str, children: int) -> Organization:
    """A group, its committee and `children` branches under the committee; the committee."""
    plan = [
        OrgSpec(code, f"{code}集团", f"{code} group", "group", None),
        OrgSpec(f"{code}-C", f"{code}党委", f"{code} committee", "committee", 0),
        *(
            OrgSpec(f"{code}-C-{n:04d}", f"{code}第{n}支部", f"{code} branch {n}", "branch", 1)
            for n in range(children)
        ),
    ]
    ids = insert_tree(plan)
    return Organization.objects.select_related("parent").get(pk=ids[1])


def score_two_years() -> None:
    """Both periods opened over every tree and rolled up; a third of the branches' current
    submissions left submitted."""
    framework = FrameworkFactory()
    for year in (2025, 2026):
        period = PeriodFactory(framework=framework, year=year)
        Submission.objects.filter(period=period).update(state=SubmissionState.APPROVED)
        roll_up(period)
    pending = list(Submission.objects.filter(period=period).values_list("pk", flat=True))[::3]
    Submission.objects.filter(pk__in=pending).update(state=SubmissionState.SUBMITTED)


@pytest.fixture(scope="module")
def _wide_rows(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[int, int]:
    """The committee of each wide tree by its number of branches (ids), both years scored."""
    with shared_rows(django_db_blocker):
        with building(django_db_blocker, tmp_path_factory.mktemp("media")):
            committees = {size: wide_tree(f"W{size}", size).pk for size in (10, 2000)}
            score_two_years()
        yield committees


@pytest.fixture
def committees(_wide_rows, db) -> dict[int, Organization]:
    rows = Organization.objects.select_related("parent").in_bulk(_wide_rows.values())
    return {size: rows[pk] for size, pk in _wide_rows.items()}


def queries_for(client, committee: Organization, query: str) -> int:
    url = reverse("dashboards:organization", args=[committee.pk]) + query
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["board"].children) > 0
    return len(captured)


@pytest.mark.parametrize(
    "query", ["", "?submitted=1", "?indicator=C1.01", "?kind=branch&grade=D&submitted=1"]
)
def test_the_query_count_does_not_grow_with_the_tree(client, committees, query):
    counts = {}
    for size, committee in committees.items():
        reviewer = UserFactory(username=f"reviewer{size}")
        assign_role(user=reviewer, organization=committee.parent, role="reviewer")
        client.force_login(reviewer, backend="django.contrib.auth.backends.ModelBackend")
        counts[size] = queries_for(client, committee, query)
    assert counts[10] == counts[2000], counts
    assert counts[10] <= MAX_QUERIES, counts
