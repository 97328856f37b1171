"""Audit entries are rendered in the reader's language from what they stored; the chain is not
touched.

Given a submission saved, submitted and approved by alice and carol, and the role assignments of
the user fixtures, the audit page says it in words: the unit and period by name, the states by
their labels, the role by its label, with the ids only in the links.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEntry
from audit.services import verify_chain
from auditing.rendering import render_entries, render_entry
from tests.builders import enter
from tests.factories import PeriodFactory
from tests.html import page

pytestmark = pytest.mark.django_db

LIST = reverse("audit:list")


@pytest.fixture
def approved(tree, alice, carol):
    """Alice's branch's submission of an open period, saved, submitted and approved."""
    period = PeriodFactory(year=2026)
    return enter(period, tree.a1a, {"C1.01": "5", "C2.01": "yes"}, by=alice, approved_by=carol)


def _entry(kind: str, target: str) -> AuditEntry:
    return AuditEntry.objects.filter(kind=kind, target=target).order_by("-id").first()


def test_a_workflow_step_reads_in_chinese_with_the_unit_and_period(approved):
    entry = _entry("submission.transition", f"submission:{approved.pk}")
    with translation.override("zh-hans"):
        shown = render_entry(entry)
    assert shown.summary == "甲一第一支部 · 2026年度：已提交 → 已通过"
    assert shown.target == "甲一第一支部 · 2026年度"
    assert shown.url == reverse("assessment:submission", args=[approved.pk])
    assert ("状态", "已提交", "已通过") in [(c.key, c.before, c.after) for c in shown.changes]


def test_the_same_step_reads_in_english_for_an_english_reader(approved):
    entry = _entry("submission.transition", f"submission:{approved.pk}")
    with translation.override("en"):
        shown = render_entry(entry)
    assert shown.summary.endswith(": Submitted → Approved")


def test_a_value_save_names_its_version_and_says_yes_in_words(approved):
    entry = _entry("value.changed", f"submission:{approved.pk}")
    with translation.override("zh-hans"):
        shown = render_entry(entry)
    assert shown.summary == "甲一第一支部 · 2026年度，第 2 版：填报数值"
    assert ("C2.01", None, "是") in [(c.key, c.before, c.after) for c in shown.changes]


def test_a_role_assignment_names_the_user_and_the_role_label(alice):
    entry = AuditEntry.objects.filter(kind="role.assigned").order_by("id").first()
    with translation.override("zh-hans"):
        shown = render_entry(entry)
    assert shown.target == "alice（支部书记）"
    assert "role:" not in shown.summary
    assert [(c.key, c.after) for c in shown.changes] == [("用户", "alice"), ("角色", "支部书记")]


def test_evidence_names_the_file_type_and_size_in_words(approved):
    entry = _entry("evidence.added", f"submission:{approved.pk}")
    with translation.override("zh-hans"):
        changes = {c.key: c.after for c in render_entry(entry).changes}
    assert changes["文件类型"] == "PDF"
    assert changes["大小"].endswith("字节")


def test_an_entry_whose_object_is_gone_still_renders(tree, erin):
    from audit.services import record

    entry = record(
        "submission.transition",
        organization=tree.a1a,
        target="submission:999999",
        summary="x: draft → submitted",
        before={"state": "draft"},
        after={"state": "submitted", "reason": ""},
    )
    with translation.override("zh-hans"):
        shown = render_entry(entry)
    assert shown.target == "填报 #999999"
    assert shown.url == ""
    assert shown.summary == "填报 #999999：草稿 → 已提交"


def test_rendering_leaves_the_stored_row_and_the_chain_as_they_were(approved, client_for, erin):
    before = list(AuditEntry.objects.order_by("id").values_list("summary", "before", "after"))
    assert client_for(erin).get(LIST).status_code == 200
    after = list(AuditEntry.objects.order_by("id").values_list("summary", "before", "after"))
    assert after == before
    assert verify_chain(checkpoint=None).intact


def test_the_page_renders_any_number_of_entries_in_the_same_queries(approved, tree, alice):
    entries = list(AuditEntry.objects.order_by("-id"))
    with CaptureQueriesContext(connection) as few:
        render_entries(entries[:3])
    PeriodFactory(
        framework=approved.period.framework, year=2027
    )  # more entries of every kind named
    with CaptureQueriesContext(connection) as many:
        render_entries(list(AuditEntry.objects.order_by("-id")))
    assert len(many) <= len(few) + 4  # one per kind of object named, not one per entry
    assert len(many) <= 9


def test_the_chinese_page_links_the_object_by_name_not_by_its_reference(approved, client_for, erin):
    shown = page(client_for(erin).get(LIST, HTTP_ACCEPT_LANGUAGE="zh-Hans"))
    link = reverse("assessment:submission", args=[approved.pk])
    targets = shown.texts(f'.audit-table tr[data-entry] > td > a[href="{link}"]')
    assert targets
    assert set(targets) == {"甲一第一支部 · 2026年度"}
    summaries = shown.texts(".audit-table tr[data-entry] details > summary")
    assert "甲一第一支部 · 2026年度：已提交 → 已通过" in summaries
    assert not shown.mentions(f"submission:{approved.pk}")
    assert "对象" in shown.texts(".audit-table > thead th[scope=col]")


@pytest.fixture
def settings_saved(approved, erin):
    """Erin's save of the small framework's roll-up settings, over the defaults."""
    from assessment.services.rollup_settings import save_rollup_settings

    code = approved.period.framework.code
    save_rollup_settings(code, own_weight=0.5, children="members", missing="flag", acting_user=erin)
    return AuditEntry.objects.get(kind="rollup.settings.saved")


def test_a_roll_up_settings_save_reads_in_chinese_with_its_choices_in_words(settings_saved):
    code = settings_saved.summary
    with translation.override("zh-hans"):
        shown = render_entry(settings_saved)
        kind = str(settings_saved.kind_label)
    assert kind == "汇总设置已保存"
    assert shown.target == f"{code} 的汇总设置"
    assert [(c.key, c.before, c.after) for c in shown.changes] == [
        ("本级得分权重", "0.3", "0.5"),
        ("下级组织加权方式", "平均计算", "按党员人数加权"),
        ("缺报处理方式", "按零分计算", "不计入并标记"),
    ]


def test_the_same_save_reads_in_english_for_an_english_reader(settings_saved):
    with translation.override("en"):
        shown = render_entry(settings_saved)
        kind = str(settings_saved.kind_label)
    assert kind == "Roll-up settings saved"
    assert shown.target == f"Roll-up settings of {settings_saved.summary}"
    assert [(c.key, c.before, c.after) for c in shown.changes] == [
        ("weight of the own score", "0.3", "0.5"),
        ("children weighted", "Equally", "By party members"),
        ("missing submissions", "Count as zero", "Leave out and flag"),
    ]


def test_a_record_of_party_life_is_named_by_its_date_and_topic_with_a_link(tree, alice):
    from audit import hooks
    from audit.models import AuditKind
    from tests.factories.records import DuesPaymentFactory, MeetingFactory

    meeting = MeetingFactory(organization=tree.a1a, topic="学习党章")
    dues = DuesPaymentFactory(person__organization=tree.a1a)
    hooks.record_event(AuditKind.RECORD_SAVED, meeting, summary="meeting", acting_user=alice)
    hooks.record_event(AuditKind.RECORD_SAVED, dues, summary="dues", acting_user=alice)

    with translation.override("zh-hans"):
        shown_meeting = render_entry(_entry("record.saved", f"meeting:{meeting.pk}"))
        shown_dues = render_entry(_entry("record.saved", f"duespayment:{dues.pk}"))

    assert shown_meeting.target == "2026-03-10 学习党章"
    assert shown_meeting.url == reverse("records:meeting_detail", args=[meeting.pk])
    assert shown_dues.target == f"党费缴纳记录 #{dues.pk}"


def test_a_title_decision_names_the_title_with_a_link_and_the_states_in_words(approved, carol):
    from standards.services import titles
    from tests.factories.standards import TitleFactory

    title = TitleFactory(submission=approved)
    titles.decide(title, confirm=True, reason="", version=title.version, acting_user=carol)
    entry = _entry("title.decided", f"title:{title.pk}")
    with translation.override("en"):
        shown = render_entry(entry)
    assert shown.target == f"title #{title.pk}"
    assert shown.url == reverse("standards:title_detail", args=[title.pk])
    assert shown.summary.endswith(": Proposed → Confirmed")


def test_business_figures_saved_name_the_organization_and_year_with_a_link(tree, erin):
    from business.services import figures

    figures.save_figures(
        tree.a, 2025, {"revenue": "1200.5"}, versions={"revenue": 0}, acting_user=erin
    )
    entry = AuditEntry.objects.filter(kind="business.figures.saved").latest("id")
    with translation.override("en"):
        shown = render_entry(entry)
    assert shown.target == f"{tree.a.name_en} · 2025"
    assert shown.url == reverse("business:organization", args=[tree.a.pk])
