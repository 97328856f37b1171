"""Celery tasks of the assessment app: thin wrappers that call services."""

from celery import shared_task
from django.utils import timezone

from .services import notices


@shared_task(name="assessment.send_deadline_reminders", acks_late=True, time_limit=1800)
def send_deadline_reminders() -> int:
    """Daily: remind secretaries of open submissions near or past their deadline."""
    return notices.send_deadline_reminders(timezone.localdate())
