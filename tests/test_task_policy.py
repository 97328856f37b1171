"""Every Celery task of the portal retries by the one policy of `core.retry`."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils.module_loading import autodiscover_modules

from core import retry
from partybuild.celery import app


def portal_prefixes() -> tuple[str, ...]:
    """The portal's own apps (those inside the project folder), as task-name prefixes."""
    root = Path(settings.BASE_DIR).resolve()
    return tuple(
        f"{config.label}."
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(root)
    )


@pytest.fixture(scope="module")
def portal_tasks():
    autodiscover_modules("tasks")
    prefixes = portal_prefixes()
    return {name: task for name, task in app.tasks.items() if name.startswith(prefixes)}


def test_the_portal_apps_have_tasks(portal_tasks):
    prefixes = {name.split(".", 1)[0] for name in portal_tasks}
    assert {"partybuild", "organizations", "assessment", "rectification", "reports", "audit"} <= (
        prefixes
    )


def test_every_task_of_the_portal_retries_by_the_one_policy(portal_tasks):
    for name, task in portal_tasks.items():
        assert tuple(getattr(task, "autoretry_for", ())) == retry.RETRYABLE, name
        assert getattr(task, "retry_backoff", None) == retry.POLICY["retry_backoff"], name
        assert getattr(task, "retry_backoff_max", None) == retry.POLICY["retry_backoff_max"], name
        assert getattr(task, "retry_jitter", None) == retry.POLICY["retry_jitter"], name
        assert task.max_retries == retry.POLICY["max_retries"], name
        assert task.acks_late is True, name


def test_the_policy_cannot_be_overridden_by_a_task():
    with pytest.raises(TypeError, match="max_retries"):
        retry.task("partybuild.test_other_retries", time_limit=10, max_retries=10)
