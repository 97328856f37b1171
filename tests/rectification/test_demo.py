"""The demo loader: items from the latest closed year and the open one, moved along once."""

import pytest

from assessment.choices import PeriodStatus
from assessment.models import Period
from partybuild.demo.rectification import load_demo_rectifications
from rectification.models import Rectification, RectificationEvent
from tests.factories import PeriodFactory, UserFactory

from .conftest import GOOD, WEAK, set_values

POOR = {**WEAK, "C2.01": False, "G1.01": 1}  # three items per unit

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_step_and_loads_once(framework, tree, alice):
    from organizations.services import assign_role

    admin = UserFactory(username="admin")
    assign_role(user=admin, organization=tree.group, role="administrator")
    reviewer = UserFactory(username="reviewer")
    assign_role(user=reviewer, organization=tree.group, role="reviewer")
    older, closed, current = (
        PeriodFactory(framework=framework, year=y) for y in (2023, 2024, 2025)
    )
    for period in (older, closed):
        for org in (tree.a1a, tree.a1b, tree.b1):
            set_values(period, org, POOR)
    set_values(current, tree.a1a, GOOD)
    Period.objects.filter(pk__in=[older.pk, closed.pk]).update(status=PeriodStatus.CLOSED)

    first = load_demo_rectifications()
    assert set(Rectification.objects.values_list("period__name_en", flat=True)) == {"Year 2024"}
    assert sum(first.values()) == 9
    assert sum(1 for n in first.values() if n) >= 2  # a mix of states
    assert load_demo_rectifications() == first
    history = RectificationEvent.objects.count()
    load_demo_rectifications()
    assert RectificationEvent.objects.count() == history
    for item in Rectification.objects.exclude(state="open"):
        assert item.plan
        assert item.version == 1 + item.events.count()
