"""A scored subject's page names its grade on its own scale and links to its seven-good
standard; the standard page answers for a member as for an organization."""

import pytest

from assessment.models import Submission

from .appraisal_builders import appraised_period

pytestmark = pytest.mark.django_db


def test_a_members_page_names_the_grade_in_words_and_links_the_standard(
    std_framework, tree, carol, client_for
):
    period, people = appraised_period(std_framework, {tree.a1a: [("王一", 10, 10)]})
    submission = Submission.objects.get(period=period, person=people["王一"])
    page = client_for(carol).get(f"/assessment/submissions/{submission.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "优秀" in html
    assert "excellent" not in html.split('data-grade="excellent"')[1][:200]
    assert f'href="/standards/standard/{submission.pk}/"' in html
    standard = client_for(carol).get(f"/standards/standard/{submission.pk}/")
    assert standard.status_code == 200
    assert "七好党员" in standard.content.decode()
