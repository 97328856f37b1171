"""Each hooked event writes one entry with who, when, from where, before and after.

Events are caused through the test client where a page or the API causes them, so the
middleware supplies the user and the address as in production.
"""

import hashlib
import io
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessment import excel
from assessment.models import Framework
from assessment.services import excel_import, frameworks, periods, submissions
from audit.models import AuditEntry
from audit.services import verify_chain
from organizations.models import ImportBatch, OrganizationKind, RoleAssignment
from organizations.scope import forget_grants
from organizations.services import (
    assign_role,
    create_organization,
    move_organization,
    revoke_role,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ADDRESS = "203.0.113.7"


def last(kind: str) -> AuditEntry:
    return AuditEntry.objects.filter(kind=kind).order_by("-id").first()


def test_saving_values_records_one_entry_with_the_changed_values(api_for, alice, submission, tree):
    client = api_for(alice, REMOTE_ADDR=ADDRESS)
    before = timezone.now()
    url = f"/api/v1/submissions/{submission.pk}/"
    response = client.patch(url, {"version": 1, "values": {"C1.01": "5"}}, format="json")
    assert response.status_code == 200, response.content
    response = client.patch(
        url, {"version": 2, "values": {"C1.01": "7", "C2.01": "yes"}}, format="json"
    )
    assert response.status_code == 200, response.content

    entry = last("value.changed")
    assert (entry.actor, entry.actor_name, entry.ip) == (alice, "alice", ADDRESS)
    assert entry.organization == tree.a1a
    assert entry.period_id == submission.period_id
    assert entry.target == f"submission:{submission.pk}"
    assert entry.before == {"C1.01": 5, "C2.01": None}
    assert entry.after == {"C1.01": 7, "C2.01": True}
    assert entry.at >= before
    assert AuditEntry.objects.filter(kind="value.changed").count() == 2
    assert verify_chain().intact


def test_a_save_that_changes_nothing_records_nothing(alice, submission):
    submissions.save_values(submission, {"C1.01": "5"}, version=1, acting_user=alice)
    count = AuditEntry.objects.count()
    submissions.save_values(submission, {"C1.01": "5"}, version=2, acting_user=alice)
    assert AuditEntry.objects.count() == count


def test_a_refused_save_records_nothing(alice, submission):
    count = AuditEntry.objects.count()
    with pytest.raises(submissions.InvalidValues):
        submissions.save_values(submission, {"C1.01": "many"}, version=1, acting_user=alice)
    assert AuditEntry.objects.count() == count


def test_a_rolled_back_change_leaves_no_entry(alice, submission):
    count = AuditEntry.objects.count()

    def save_then_fail() -> None:
        with transaction.atomic():
            submissions.save_values(submission, {"C1.01": "5"}, version=1, acting_user=alice)
            assert AuditEntry.objects.count() == count + 1
            raise RuntimeError("the caller fails after the save")

    with pytest.raises(RuntimeError):
        save_then_fail()
    assert AuditEntry.objects.count() == count
    assert verify_chain().intact


def test_workflow_steps_are_recorded_with_their_reasons(api_for, alice, carol, erin, submission):
    secretary = api_for(alice, REMOTE_ADDR="198.51.100.1")
    reviewer = api_for(carol, REMOTE_ADDR="198.51.100.2")
    base = f"/api/v1/submissions/{submission.pk}/"
    secretary.patch(base, {"version": 1, "values": {"C1.01": "5", "C2.01": "yes"}}, format="json")
    evidence = SimpleUploadedFile("minutes.pdf", PDF)
    assert (
        secretary.post(
            f"{base}evidence/", {"indicator": "C2.01", "file": evidence}, format="multipart"
        ).status_code
        == 201
    )
    assert secretary.post(f"{base}submit/").status_code == 200
    assert reviewer.post(f"{base}return/", {"reason": "evidence unclear"}).status_code == 200
    assert secretary.post(f"{base}submit/").status_code == 200
    assert reviewer.post(f"{base}approve/", {"comment": "ok"}).status_code == 200
    assert api_for(erin).post(f"{base}reopen/", {"reason": "typo"}).status_code == 200

    steps = list(
        AuditEntry.objects.filter(kind="submission.transition")
        .order_by("id")
        .values_list("actor_name", "ip", "before", "after")
    )
    assert steps == [
        ("alice", "198.51.100.1", {"state": "draft"}, {"state": "submitted", "reason": ""}),
        (
            "carol",
            "198.51.100.2",
            {"state": "submitted"},
            {"state": "returned", "reason": "evidence unclear"},
        ),
        ("alice", "198.51.100.1", {"state": "returned"}, {"state": "submitted", "reason": ""}),
        ("carol", "198.51.100.2", {"state": "submitted"}, {"state": "approved", "reason": "ok"}),
        ("erin", "127.0.0.1", {"state": "approved"}, {"state": "returned", "reason": "typo"}),
    ]
    assert verify_chain().intact


def test_framework_publication_archive_clone_and_edit_are_recorded(
    client_for, erin, published_framework
):
    loaded = last("framework.loaded")
    assert loaded.target == f"framework:{published_framework.pk}"
    published = last("framework.published")
    assert published.after == {"status": "published", "archived": []}
    assert published.organization_id is None

    clone = frameworks.clone_framework(published_framework, version="2027", acting_user=erin)
    cloned = last("framework.cloned")
    assert cloned.target == f"framework:{clone.pk}"
    assert cloned.before == {"framework": published_framework.pk, "version": "2026"}
    indicator = clone.indicators.get(code="C1.01")
    old_name = indicator.name
    frameworks.update_indicator(indicator, {"name": "新名称"}, acting_user=erin)
    changed = last("framework.changed")
    assert (changed.actor, changed.target) == (erin, f"indicator:{indicator.pk}")
    assert (changed.before, changed.after) == ({"name": old_name}, {"name": "新名称"})

    response = client_for(erin).post(
        reverse("assessment:framework_publish", args=[clone.pk]), REMOTE_ADDR=ADDRESS
    )
    assert response.status_code in (200, 302)
    published = last("framework.published")
    assert published.target == f"framework:{clone.pk}"
    assert published.after == {"status": "published", "archived": [published_framework.pk]}
    assert (published.actor, published.ip) == (erin, ADDRESS)

    frameworks.archive_framework(Framework.objects.get(pk=clone.pk), acting_user=erin)
    archived = last("framework.archived")
    assert (archived.before, archived.after) == ({"status": "published"}, {"status": "archived"})


def test_opening_and_closing_a_period_are_recorded(erin, period):
    opened = last("period.opened")
    assert opened.period == period
    assert opened.after["submissions"] == period.submissions.count()
    periods.close_period(period, acting_user=erin)
    closed = last("period.closed")
    assert (closed.actor, closed.period, closed.after) == (erin, period, {"locked": 0})


def test_creating_a_period_is_recorded(client_for, admin_user, published_framework, tree):
    client_for(admin_user).post(
        reverse("assessment:period_create"),
        {
            "framework": published_framework.pk,
            "kind": "year",
            "name": "2027年度",
            "name_en": "2027",
            "start": "2027-01-01",
            "end": "2027-12-31",
            "deadline": "2028-01-15",
        },
        REMOTE_ADDR=ADDRESS,
    )
    created = last("period.created")
    assert created is not None, "the page did not create the period"
    assert (created.actor, created.ip, created.period.name_en) == (admin_user, ADDRESS, "2027")
    assert created.after == {
        "framework": f"{published_framework.code} {published_framework.version}",
        "kind": "year",
        "start": "2027-01-01",
        "end": "2027-12-31",
        "deadline": "2028-01-15",
    }
    assert verify_chain().intact


def test_an_import_from_the_command_line_is_recorded_and_a_dry_run_is_not(tree, tmp_path):
    from django.core.management import call_command

    data = b"code,name,name_en,kind,parent_code\r\nC,\xe4\xb8\x99,C Co.,committee,G\r\n"
    path = tmp_path / "orgs.csv"
    path.write_bytes(data)
    call_command("import_orgs", str(path), "--dry-run", stdout=io.StringIO())
    assert last("import.committed") is None
    call_command("import_orgs", str(path), stdout=io.StringIO())
    entry = last("import.committed")
    assert entry.actor is None  # an operator's tool: no portal user
    assert entry.summary == "organizations: orgs.csv (command line)"
    assert entry.after["counts"]["create"] == 1
    assert entry.after["sha256"] == hashlib.sha256(data).hexdigest()


def test_role_changes_are_recorded(tree):
    user = UserFactory(username="zoe")
    assignment = assign_role(user=user, organization=tree.b1, role="auditor")
    assigned = last("role.assigned")
    assert assigned.organization == tree.b1
    assert assigned.after == {"user": user.pk, "username": "zoe", "role": "auditor"}
    assert assigned.before is None
    assign_role(user=user, organization=tree.b1, role="auditor")  # already held: no entry
    assert AuditEntry.objects.filter(kind="role.assigned", target=assigned.target).count() == 1

    revoke_role(RoleAssignment.objects.get(pk=assignment.pk))
    revoked = last("role.revoked")
    assert revoked.before == {"user": user.pk, "username": "zoe", "role": "auditor"}
    assert revoked.target == f"role:{assignment.pk}"


def test_creating_and_moving_organizations_is_recorded(tree):
    branch = OrganizationKind.objects.get(code="branch")
    org = create_organization(code="B2", name="乙二支部", kind=branch, parent=tree.b)
    created = last("organization.created")
    assert (created.organization, created.after["parent"]) == (org, tree.b.pk)
    move_organization(org, tree.a1)
    moved = last("organization.moved")
    assert moved.before == {"parent": tree.b.pk, "path": f"{tree.b.path}{org.pk}/"}
    assert moved.after == {"parent": tree.a1.pk, "path": f"{tree.a1.path}{org.pk}/"}


def test_a_committed_import_batch_is_recorded(client_for, erin, tree):
    client = client_for(erin)
    data = b"code,name,name_en,kind,parent_code\r\nC,\xe4\xb8\x99,C Co.,committee,G\r\n"
    client.post(
        reverse("organizations:import"),
        {"kind": "organizations", "file": SimpleUploadedFile("orgs.csv", data, "text/csv")},
        REMOTE_ADDR=ADDRESS,
    )
    batch = ImportBatch.objects.get()
    client.post(reverse("organizations:import-commit", args=[batch.pk]), REMOTE_ADDR=ADDRESS)
    entry = last("import.committed")
    assert (entry.actor, entry.ip, entry.target) == (erin, ADDRESS, f"import:{batch.pk}")
    assert entry.after["counts"]["create"] == 1
    assert entry.after["sha256"] == batch.sha256


def _template_filled(user, period, organization, values: dict[int, dict]) -> bytes:
    data = excel_import.committee_template(period, user=user, organization=organization)
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[excel.VALUES_SHEET]
    header = {cell.value: cell.column for cell in sheet[excel.HEADER_LINE] if cell.value}
    for row in range(excel.HEADER_LINE + 1, sheet.max_row + 1):
        submission_id = sheet.cell(row, header[excel.SUBMISSION.header]).value
        code = sheet.cell(row, header[excel.CODE.header]).value
        if code in values.get(submission_id, {}):
            sheet.cell(row, header[excel.VALUE.header]).value = values[submission_id][code]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def committee_secretary(tree, carol):
    assign_role(user=carol, organization=tree.a, role="secretary")
    forget_grants(carol)
    return carol


def test_an_excel_upload_records_each_save_and_the_import_in_one_append(
    committee_secretary, tree, period, django_assert_max_num_queries
):
    a1a = period.submissions.get(organization=tree.a1a)
    a1b = period.submissions.get(organization=tree.a1b)
    data = _template_filled(
        committee_secretary, period, tree.a, {a1a.pk: {"C1.01": 4}, a1b.pk: {"C1.01": 6}}
    )
    count = AuditEntry.objects.count()
    excel_import.import_workbook(data, acting_user=committee_secretary)

    entries = list(AuditEntry.objects.filter(pk__gt=0).order_by("-id")[:3])
    assert AuditEntry.objects.count() == count + 3
    imported, *saves = entries
    assert imported.kind == "import.committed"
    assert imported.after == {"submissions": [a1a.pk, a1b.pk], "values": 2}
    assert {e.target for e in saves} == {f"submission:{a1a.pk}", f"submission:{a1b.pk}"}
    assert {e.organization_id for e in saves} == {tree.a1a.pk, tree.a1b.pk}
    # Appended together: the same moment.
    assert len({e.at for e in entries}) == 1
    assert verify_chain().intact


def test_a_rejected_excel_upload_records_nothing(committee_secretary, tree, period):
    a1a = period.submissions.get(organization=tree.a1a)
    a1b = period.submissions.get(organization=tree.a1b)
    data = _template_filled(
        committee_secretary, period, tree.a, {a1a.pk: {"C1.01": 4}, a1b.pk: {"C1.01": 6}}
    )
    real_save = submissions.save_values
    calls = []

    def save_then_fail(submission, values, **kwargs):
        calls.append(submission.pk)
        if len(calls) == 2:
            raise submissions.WorkflowError("refused")
        return real_save(submission, values, **kwargs)

    count = AuditEntry.objects.count()
    with (
        mock.patch.object(submissions, "save_values", save_then_fail),
        pytest.raises(excel_import.ImportRejected),
    ):
        excel_import.import_workbook(data, acting_user=committee_secretary)
    assert AuditEntry.objects.count() == count


def test_a_login_lockout_is_recorded_with_the_address(client, alice):
    for _attempt in range(5):
        client.post(
            reverse("login"), {"username": "alice", "password": "wrong"}, REMOTE_ADDR=ADDRESS
        )
    entry = last("login.locked_out")
    assert entry is not None
    assert (entry.actor, entry.actor_name, entry.ip) == (None, "alice", ADDRESS)
    assert entry.organization_id is None
    assert not AuditEntry.objects.filter(kind="login.failed").exists()


def test_adding_and_removing_evidence_is_recorded_with_the_file_hash(api_for, alice, submission):
    """Evidence is part of what a reviewer approved: its coming and going leaves a trace."""
    import hashlib

    from assessment.models import Evidence
    from assessment.services import evidence as evidence_services

    client = api_for(alice, REMOTE_ADDR=ADDRESS)
    upload = SimpleUploadedFile("会议记录.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"/api/v1/submissions/{submission.pk}/evidence/",
        {"indicator": "C2.01", "file": upload},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    added = last("evidence.added")
    facts = {
        "indicator": "C2.01",
        "name": "会议记录.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
    }
    assert (added.actor_name, added.ip) == ("alice", ADDRESS)
    assert (added.after, added.before) == (facts, None)
    assert added.target == f"submission:{submission.pk}"

    evidence_services.delete_evidence(Evidence.objects.get(), acting_user=alice)
    removed = last("evidence.removed")
    assert (removed.actor_name, removed.before, removed.after) == ("alice", facts, None)
    assert verify_chain().intact
