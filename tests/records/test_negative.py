"""The negative list: who may record an event (an inspector above the unit, never the unit),
its dates and decision documents, and the pages.

The tree of tests/conftest.py; ivan inspects committee A (so he records on A1, A1a, A1b, never on
A itself), iris inspects branch A1a itself (she may record nothing there). Alice is A1a's
secretary, bob A1b's, carol reviews A, erin administers the group. The year 2026 is open.
"""

import datetime
import hashlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from assessment.choices import PeriodStatus
from assessment.models import Period
from audit.models import AuditEntry, AuditKind
from organizations.services import assign_role
from records.models import DecisionDocument, NegativeEvent
from records.selectors import negative as selectors
from records.services import negative as services
from records.services.dates import NotAllowed, RecordRefused, StaleVersion
from tests.factories import NegativeEventFactory, PeriodFactory, UserFactory
from tests.html import page

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English here."""
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(client_for, settings):
    """Pages are read in English here (the messages matched are the English ones)."""

    def login(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


@pytest.fixture
def ivan(tree):
    user = UserFactory(username="ivan")
    assign_role(user=user, organization=tree.a, role="inspector")
    return user


@pytest.fixture
def iris(tree):
    user = UserFactory(username="iris")
    assign_role(user=user, organization=tree.a1a, role="inspector")
    return user


def decision(name: str = "处分决定.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def record(organization, user, **changes) -> NegativeEvent:
    fields = {
        "category": "discipline",
        "severity": "serious",
        "date": DAY,
        "title": "违反中央八项规定精神",
        "description": "公款吃喝",
        "decision_number": "纪发〔2026〕3号",
        "documents": [decision()],
    }
    return services.record_negative_event(organization, **{**fields, **changes}, acting_user=user)


# --- who may record -----------------------------------------------------------------------------


def test_an_inspector_above_records_an_event_with_its_decision_document(tree, period, ivan):
    event = record(tree.a1a, ivan)

    assert (event.organization, event.entered_by, event.severity) == (tree.a1a, ivan, "serious")
    document = event.documents.get()
    sha = hashlib.sha256(PDF).hexdigest()
    assert (document.sha256, document.content_type, document.original_name) == (
        sha,
        "application/pdf",
        "处分决定.pdf",
    )
    assert document.file.name == f"records/{sha[:2]}/{sha}"
    with default_storage.open(document.file.name) as stored:
        assert stored.read() == PDF
    entry = AuditEntry.objects.get(kind=AuditKind.RECORD_SAVED)
    assert (entry.actor, entry.organization_id, entry.target) == (
        ivan,
        tree.a1a.pk,
        f"negativeevent:{event.pk}",
    )
    assert entry.after["title"] == "违反中央八项规定精神"
    assert entry.after["documents"] == [f"{sha} 处分决定.pdf"]


def test_an_inspector_records_on_any_unit_strictly_below(tree, period, ivan):
    assert record(tree.a1, ivan).organization == tree.a1
    assert record(tree.a1b, ivan).organization == tree.a1b


def test_an_inspector_never_records_on_their_own_unit(tree, period, ivan, iris):
    with pytest.raises(NotAllowed, match="recorded by discipline inspection above it"):
        record(tree.a, ivan)
    with pytest.raises(NotAllowed):
        record(tree.a1a, iris)
    assert not NegativeEvent.objects.exists()
    assert not DecisionDocument.objects.exists()
    assert not AuditEntry.objects.filter(kind=AuditKind.RECORD_SAVED).exists()


def test_the_units_own_secretary_may_not_record(tree, period, alice):
    with pytest.raises(NotAllowed):
        record(tree.a1a, alice)
    assert not NegativeEvent.objects.exists()


def test_a_reviewer_above_may_not_record(tree, period, carol):
    with pytest.raises(NotAllowed):
        record(tree.a1a, carol)


def test_an_inspector_of_another_subtree_may_not_record(tree, period, ivan):
    with pytest.raises(NotAllowed):
        record(tree.b1, ivan)


def test_an_administrator_above_holds_inspect_and_may_record(tree, period, erin):
    assert record(tree.a1a, erin).entered_by == erin


def test_the_organizations_an_inspector_may_record_on(tree, ivan, iris, alice):
    assert list(selectors.recordable_organizations(ivan)) == [tree.a1, tree.a1a, tree.a1b]
    assert not selectors.recordable_organizations(iris).exists()
    assert not selectors.recordable_organizations(alice).exists()


# --- input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("决定.html", b"<html><script>alert(1)</script></html>", "must be a PDF or an image"),
        ("决定.pdf", b"MZ\x90\x00 a program", "must be a PDF or an image"),
        ("决定.docx", b"PK\x03\x04 word document", "must be a PDF or an image"),
        ("决定.pdf", b"", "empty"),
    ],
)
def test_a_decision_document_that_is_not_a_pdf_or_an_image_is_refused(
    tree, period, ivan, name, content, message
):
    files = [decision(), SimpleUploadedFile(name, content)]
    with pytest.raises(RecordRefused, match=message):
        record(tree.a1a, ivan, documents=files)
    assert not NegativeEvent.objects.exists()
    assert not DecisionDocument.objects.exists()


def test_an_image_is_a_decision_document(tree, period, ivan):
    event = record(tree.a1a, ivan, documents=[decision("扫描件.png", PNG)])
    assert event.documents.get().content_type == "image/png"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Give the title"),
        ({"category": "gossip"}, "Unknown category"),
        ({"severity": "fatal"}, "Unknown severity"),
        ({"decision_number": "号" * 101}, "too long"),
    ],
)
def test_bad_input_is_refused(tree, period, ivan, changes, message):
    with pytest.raises(RecordRefused, match=message):
        record(tree.a1a, ivan, **changes)
    assert not NegativeEvent.objects.exists()


def test_a_date_in_no_open_period_is_refused(tree, period, ivan):
    with pytest.raises(RecordRefused, match="in no open assessment period"):
        record(tree.a1a, ivan, date=datetime.date(2025, 6, 1))
    assert not NegativeEvent.objects.exists()


def test_a_date_in_a_closed_period_is_refused(tree, period, ivan, published_framework):
    closed = PeriodFactory(framework=published_framework, year=2025)
    Period.objects.filter(pk=closed.pk).update(status=PeriodStatus.CLOSED)
    with pytest.raises(RecordRefused, match="is closed"):
        record(tree.a1a, ivan, date=datetime.date(2025, 6, 1))


def test_an_event_of_a_locked_period_can_neither_change_nor_go(tree, period, ivan):
    event = record(tree.a1a, ivan)
    Period.objects.filter(pk=period.pk).update(status=PeriodStatus.LOCKED)
    with pytest.raises(RecordRefused, match="locked"):
        services.change_negative_event(event, version=1, title="改过的", acting_user=ivan)
    with pytest.raises(RecordRefused, match="locked"):
        services.delete_negative_event(event, acting_user=ivan)
    event.refresh_from_db()
    assert event.title == "违反中央八项规定精神"


def test_a_change_may_not_move_an_event_into_a_closed_period(
    tree, period, ivan, published_framework
):
    closed = PeriodFactory(framework=published_framework, year=2025)
    Period.objects.filter(pk=closed.pk).update(status=PeriodStatus.CLOSED)
    event = record(tree.a1a, ivan)
    with pytest.raises(RecordRefused, match="is closed"):
        services.change_negative_event(
            event, version=1, date=datetime.date(2025, 6, 1), acting_user=ivan
        )
    event.refresh_from_db()
    assert event.date == DAY


# --- change and delete --------------------------------------------------------------------------


def test_a_change_is_audited_with_before_and_after(
    tree, period, ivan, django_capture_on_commit_callbacks
):
    event = record(tree.a1a, ivan)
    old = event.documents.get()

    with django_capture_on_commit_callbacks(execute=True):
        services.change_negative_event(
            event,
            version=1,
            severity="grave",
            documents=[decision("复核决定.png", PNG)],
            remove_documents=[old.pk],
            acting_user=ivan,
        )

    event.refresh_from_db()
    assert event.severity == "grave"
    assert [d.original_name for d in event.documents.all()] == ["复核决定.png"]
    entry = AuditEntry.objects.filter(kind=AuditKind.RECORD_SAVED).latest("pk")
    assert (entry.before["severity"], entry.after["severity"]) == ("serious", "grave")
    assert not default_storage.exists(old.file.name)


def test_nothing_changed_is_refused(tree, period, ivan):
    event = record(tree.a1a, ivan)
    with pytest.raises(RecordRefused, match="Nothing was changed"):
        services.change_negative_event(event, version=1, severity="serious", acting_user=ivan)


def test_a_change_moves_the_version_on_and_the_trail_keeps_it(tree, period, ivan):
    event = record(tree.a1a, ivan)
    assert event.version == 1
    changed = services.change_negative_event(event, version=1, severity="grave", acting_user=ivan)
    assert changed.version == 2
    event.refresh_from_db()
    assert (event.severity, event.version) == ("grave", 2)
    entry = AuditEntry.objects.filter(kind=AuditKind.RECORD_SAVED).latest("pk")
    assert (entry.before["version"], entry.after["version"]) == (1, 2)


def test_adding_a_document_alone_moves_the_version_on(tree, period, ivan):
    event = record(tree.a1a, ivan)
    services.change_negative_event(
        event, version=1, documents=[decision("复核决定.png", PNG)], acting_user=ivan
    )
    event.refresh_from_db()
    assert (event.version, event.documents.count()) == (2, 2)


def test_a_change_from_a_stale_form_is_refused_and_changes_nothing(tree, period, ivan):
    event = record(tree.a1a, ivan)
    services.change_negative_event(event, version=1, title="第一次修改", acting_user=ivan)
    document = event.documents.get()
    audited = AuditEntry.objects.count()
    with pytest.raises(StaleVersion, match="now version 2"):
        services.change_negative_event(
            event,
            version=1,
            severity="grave",
            remove_documents=[document.pk],
            acting_user=ivan,
        )
    event.refresh_from_db()
    assert (event.version, event.title, event.severity) == (2, "第一次修改", "serious")
    assert list(event.documents.all()) == [document]
    assert AuditEntry.objects.count() == audited


def test_a_stale_deletion_is_refused_and_the_event_stays(tree, period, ivan):
    event = record(tree.a1a, ivan)
    services.change_negative_event(event, version=1, title="第一次修改", acting_user=ivan)
    with pytest.raises(StaleVersion, match="now version 2"):
        services.delete_negative_event(event, version=1, acting_user=ivan)
    assert NegativeEvent.objects.filter(pk=event.pk).exists()
    services.delete_negative_event(event, version=2, acting_user=ivan)
    assert not NegativeEvent.objects.exists()


def test_the_unit_may_not_change_or_delete_its_event(tree, period, ivan, alice, iris):
    event = record(tree.a1a, ivan)
    for user in (alice, iris):
        with pytest.raises(NotAllowed):
            services.change_negative_event(event, version=1, title="没有的事", acting_user=user)
        with pytest.raises(NotAllowed):
            services.delete_negative_event(event, acting_user=user)
    assert NegativeEvent.objects.filter(pk=event.pk, title="违反中央八项规定精神").exists()


def test_deleting_an_event_keeps_what_it_was_in_the_trail(
    tree, period, ivan, django_capture_on_commit_callbacks
):
    event = record(tree.a1a, ivan)
    name = event.documents.get().file.name
    pk = event.pk

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_negative_event(event, acting_user=ivan)

    assert not NegativeEvent.objects.exists()
    assert not DecisionDocument.objects.exists()
    entry = AuditEntry.objects.get(kind=AuditKind.RECORD_DELETED)
    assert entry.target == f"negativeevent:{pk}"
    assert entry.before["decision_number"] == "纪发〔2026〕3号"
    assert not default_storage.exists(name)


def test_content_shared_with_another_event_stays_when_one_goes(
    tree, period, ivan, django_capture_on_commit_callbacks
):
    first = record(tree.a1a, ivan)
    record(tree.a1b, ivan)
    name = first.documents.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_negative_event(first, acting_user=ivan)
    assert default_storage.exists(name)


# --- who sees ----------------------------------------------------------------------------------


def test_the_unit_and_everyone_above_see_the_event_its_sibling_does_not(
    tree, period, ivan, alice, bob, carol
):
    event = record(tree.a1a, ivan)
    for user in (alice, carol, ivan):
        assert list(selectors.visible_events(user)) == [event]
    assert not selectors.visible_events(bob).exists()


# --- pages -------------------------------------------------------------------------------------


LIST = "/records/negative-events/"


def test_the_unit_sees_its_events_on_its_list_without_a_record_button(client_for, tree, alice):
    event = NegativeEventFactory(organization=tree.a1a, title="事件甲")
    NegativeEventFactory(organization=tree.a1b, title="事件乙")

    shown = page(client_for(alice).get(LIST))

    assert shown.texts("[data-event] td:nth-child(3) a:first-child") == ["事件甲"]
    assert shown.attr(f"[data-event='{event.pk}'] a", "href") == f"{LIST}{event.pk}/"
    assert not shown.select("[data-record-event]")
    assert not shown.select("[data-edit]")


def test_an_inspector_sees_the_subtree_with_a_record_button(client_for, tree, ivan):
    NegativeEventFactory(organization=tree.a1a, title="事件甲")
    NegativeEventFactory(organization=tree.a1b, title="事件乙")
    NegativeEventFactory(organization=tree.b1, title="事件丙")

    shown = page(client_for(ivan).get(LIST))

    assert sorted(shown.texts("[data-event] td:nth-child(3) a:first-child")) == ["事件乙", "事件甲"]
    assert shown.attr("[data-record-event]", "href") == f"{LIST}new/?org={tree.a.pk}"
    assert len(shown.select("[data-edit]")) == 2


def test_the_list_narrows_to_an_organization_and_a_category(client_for, tree, ivan):
    NegativeEventFactory(organization=tree.a1a, title="事件甲", category="integrity")
    NegativeEventFactory(organization=tree.a1b, title="事件乙")
    client = client_for(ivan)

    within = page(client.get(f"{LIST}?org={tree.a1b.pk}"))
    by_category = page(client.get(f"{LIST}?category=integrity&severity=nonsense"))

    assert within.texts("[data-event] td:nth-child(3) a:first-child") == ["事件乙"]
    assert by_category.texts("[data-event] td:nth-child(3) a:first-child") == ["事件甲"]
    assert client.get(f"{LIST}?org={tree.b1.pk}").status_code == 404


def test_a_sibling_branchs_event_and_document_are_404(client_for, tree, period, ivan, bob):
    event = record(tree.a1a, ivan)
    document = event.documents.get()
    client = client_for(bob)
    assert client.get(f"{LIST}{event.pk}/").status_code == 404
    assert client.get(f"{LIST}{event.pk}/edit/").status_code == 404
    assert client.post(f"{LIST}{event.pk}/delete/").status_code == 404
    assert client.get(f"/records/decision-documents/{document.pk}/").status_code == 404
    assert NegativeEvent.objects.filter(pk=event.pk).exists()


def test_the_unit_reads_the_event_and_downloads_its_document(client_for, tree, period, ivan, alice):
    event = record(tree.a1a, ivan)
    document = event.documents.get()
    client = client_for(alice)

    shown = page(client.get(f"{LIST}{event.pk}/"))
    download = client.get(f"/records/decision-documents/{document.pk}/")

    assert shown.text("h1") == "违反中央八项规定精神"
    assert shown.text("[data-decision-number]") == "纪发〔2026〕3号"
    assert not shown.select("[data-actions]")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]


def test_the_secretary_is_told_she_may_not_record(client_for, tree, period, alice):
    client = client_for(alice)
    form = client.get(f"{LIST}new/")
    posted = client.post(
        f"{LIST}new/",
        {
            "organization": tree.a1a.pk,
            "category": "discipline",
            "severity": "minor",
            "date": "2026-03-10",
            "title": "自报",
        },
    )
    assert form.status_code == posted.status_code == 403
    assert "never by the unit itself" in page(posted).text("[data-alert]")
    assert not NegativeEvent.objects.exists()


def test_the_secretary_may_not_change_or_delete_her_units_event(
    client_for, tree, period, ivan, alice
):
    event = record(tree.a1a, ivan)
    client = client_for(alice)
    assert client.get(f"{LIST}{event.pk}/edit/").status_code == 403
    refused = client.post(f"{LIST}{event.pk}/delete/")
    assert refused.status_code == 403
    assert "recorded by discipline inspection above it" in page(refused).text("[data-alert]")
    assert NegativeEvent.objects.filter(pk=event.pk).exists()


def test_an_inspector_records_changes_and_deletes_through_the_pages(client_for, tree, period, ivan):
    client = client_for(ivan)
    form = page(client.get(f"{LIST}new/?org={tree.a1a.pk}"))
    assert form.attr("#id_organization option[selected]", "value") == str(tree.a1a.pk)
    choices = form.texts("#id_organization option:not([value=''])")
    assert choices == ["A1 general branch · A1", "A1a branch · A1a", "A1b branch · A1b"]

    created = client.post(
        f"{LIST}new/",
        {
            "organization": tree.a1a.pk,
            "category": "safety",
            "severity": "grave",
            "date": "2026-04-02",
            "title": "安全生产事故",
            "documents": [decision()],
        },
    )
    event = NegativeEvent.objects.get()
    assert created.status_code == 302
    assert created["Location"] == f"{LIST}{event.pk}/"
    assert event.documents.count() == 1

    changed = client.post(
        f"{LIST}{event.pk}/edit/",
        {
            "category": "safety",
            "severity": "serious",
            "date": "2026-04-02",
            "title": "安全生产事故（复核）",
            "remove_documents": [event.documents.get().pk],
            "version": "1",
        },
    )
    assert changed.status_code == 302
    event.refresh_from_db()
    assert (event.severity, event.title, event.documents.count()) == (
        "serious",
        "安全生产事故（复核）",
        0,
    )

    assert event.version == 2
    deleted = client.post(f"{LIST}{event.pk}/delete/", {"version": "2"})
    assert deleted.status_code == 302
    assert not NegativeEvent.objects.exists()


def edit_data(event: NegativeEvent, **changes) -> dict:
    data = {
        "category": event.category,
        "severity": event.severity,
        "date": event.date.isoformat(),
        "title": event.title,
        "description": event.description,
        "decision_number": event.decision_number,
        "version": str(event.version),
    }
    return {**data, **changes}


def test_the_edit_form_and_the_delete_button_carry_the_version(client_for, tree, period, ivan):
    event = record(tree.a1a, ivan)
    services.change_negative_event(event, version=1, title="改过一次", acting_user=ivan)
    client = client_for(ivan)
    form = page(client.get(f"{LIST}{event.pk}/edit/"))
    assert form.field("version")["value"] == "2"
    assert form.field("version")["type"] == "hidden"
    detail = page(client.get(f"{LIST}{event.pk}/"))
    delete_form = detail.form(f"{LIST}{event.pk}/delete/")
    assert delete_form.select_one("input[name=version]")["value"] == "2"


def test_a_stale_edit_is_refused_with_a_clear_error_and_changes_nothing(
    client_for, tree, period, ivan
):
    event = record(tree.a1a, ivan)
    data = edit_data(event, title="我的修改", remove_documents=[event.documents.get().pk])
    services.change_negative_event(event, version=1, title="别人先改了", acting_user=ivan)
    response = client_for(ivan).post(f"{LIST}{event.pk}/edit/", data)
    assert response.status_code == 409
    shown = page(response)
    assert "now version 2" in shown.text("[data-alert]")
    assert shown.attr("#id_title", "value") == "我的修改"
    event.refresh_from_db()
    assert (event.title, event.version, event.documents.count()) == ("别人先改了", 2, 1)


def test_a_stale_edit_is_told_in_chinese_to_a_chinese_reader(
    client_for, settings, tree, period, ivan
):
    event = record(tree.a1a, ivan)
    data = edit_data(event, title="我的修改")
    services.change_negative_event(event, version=1, title="别人先改了", acting_user=ivan)
    client = client_for(ivan)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.post(f"{LIST}{event.pk}/edit/", data)
    assert response.status_code == 409
    assert "现在是第 2 版" in page(response).text("[data-alert]")


def test_an_edit_without_its_version_is_refused_as_stale(client_for, tree, period, ivan):
    event = record(tree.a1a, ivan)
    data = edit_data(event, title="我的修改")
    del data["version"]
    response = client_for(ivan).post(f"{LIST}{event.pk}/edit/", data)
    assert response.status_code == 409
    event.refresh_from_db()
    assert (event.title, event.version) == ("违反中央八项规定精神", 1)


def test_a_stale_deletion_through_the_page_is_refused(client_for, tree, period, ivan):
    event = record(tree.a1a, ivan)
    services.change_negative_event(event, version=1, title="别人先改了", acting_user=ivan)
    response = client_for(ivan).post(f"{LIST}{event.pk}/delete/", {"version": "1"})
    assert response.status_code == 409
    assert "now version 2" in page(response).text("[data-alert]")
    assert NegativeEvent.objects.filter(pk=event.pk).exists()


def test_a_refused_document_reshows_the_form_with_the_reason(client_for, tree, period, ivan):
    response = client_for(ivan).post(
        f"{LIST}new/",
        {
            "organization": tree.a1a.pk,
            "category": "safety",
            "severity": "grave",
            "date": "2026-04-02",
            "title": "安全生产事故",
            "documents": [SimpleUploadedFile("x.svg", b"<svg onload='alert(1)'/>")],
        },
    )
    shown = page(response)
    assert response.status_code == 400
    assert "must be a PDF or an image" in shown.text("[data-alert]")
    assert shown.attr("#id_title", "value") == "安全生产事故"
    assert not NegativeEvent.objects.exists()


def test_a_date_outside_an_open_period_reshows_the_form(client_for, tree, period, ivan):
    response = client_for(ivan).post(
        f"{LIST}new/",
        {
            "organization": tree.a1a.pk,
            "category": "other",
            "severity": "minor",
            "date": "2027-02-01",
            "title": "明年的事",
        },
    )
    assert response.status_code == 400
    assert "in no open assessment period" in page(response).text("[data-alert]")


def test_the_refusal_is_in_chinese_for_a_chinese_reader(client_for, settings, tree, period, alice):
    client = client_for(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    shown = page(client.get(f"{LIST}new/"))
    assert "单位不能自行记录" in shown.text("[data-alert]")
    assert shown.text("h1") == "记录负面清单事项"


def test_a_user_without_a_role_is_told_so(client_for, tree, frank):
    response = client_for(frank).get(LIST)
    assert "no_role.html" in [t.name for t in response.templates]
