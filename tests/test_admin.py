"""Every model registered in the admin lists for a superuser (and the read-only ones stay so)."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_the_changelist_opens(client, django_user_model, tree, model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "x" * 12)
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
