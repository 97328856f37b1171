"""Every model registered in the admin lists for a superuser (and the read-only ones stay so)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_the_changelist_opens(client, tree, model):
    root = UserFactory(username="root", superuser=True)
    client.force_login(root)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


def test_submissions_cannot_be_changed_in_the_admin(rf, django_user_model):
    from assessment.models import Submission

    request = rf.get("/")
    request.user = django_user_model(is_superuser=True, is_staff=True)
    model_admin = admin.site._registry[Submission]
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_role_changes_in_the_admin_are_audited_and_take_effect(client, django_user_model, tree):
    """Roles given, changed and taken in the admin are audit entries like the services' own,
    with the administrator as the actor."""
    from audit.models import AuditEntry, AuditKind
    from organizations.models import RoleAssignment
    from organizations.scope import can

    root = UserFactory(username="root", superuser=True)
    someone = UserFactory(username="someone")
    client.force_login(root)
    add = reverse("admin:organizations_roleassignment_add")
    response = client.post(
        add, {"user": someone.pk, "organization": tree.a1a.pk, "role": "secretary"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assignment = RoleAssignment.objects.get(user=someone)
    assert can(someone, "view", tree.a1a)

    change = reverse("admin:organizations_roleassignment_change", args=[assignment.pk])
    client.post(change, {"user": someone.pk, "organization": tree.b1.pk, "role": "secretary"})
    someone = django_user_model.objects.get(pk=someone.pk)  # grants are cached per object
    assert can(someone, "view", tree.b1)
    assert not can(someone, "view", tree.a1a)

    delete = reverse("admin:organizations_roleassignment_delete", args=[assignment.pk])
    client.post(delete, {"post": "yes"})
    assert not RoleAssignment.objects.filter(user=someone).exists()

    entries = AuditEntry.objects.filter(target=f"role:{assignment.pk}").order_by("pk")
    assert [(e.kind, e.organization_id) for e in entries] == [
        (AuditKind.ROLE_ASSIGNED, tree.a1a.pk),
        (AuditKind.ROLE_REVOKED, tree.a1a.pk),
        (AuditKind.ROLE_ASSIGNED, tree.b1.pk),
        (AuditKind.ROLE_REVOKED, tree.b1.pk),
    ]
    assert {e.actor_name for e in entries} == {"root"}
