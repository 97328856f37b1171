"""Events of other libraries and of core that enter the trail: django-axes' lockouts, and the
exports of list pages (`core.lists.list_exported`).

Single failed logins are not recorded: django-axes keeps them (AccessAttempt, AccessFailureLog),
and a password-guessing run would otherwise flood the chain. A lockout is recorded every time
one is enforced, so a run that continues after the lockout still shows.
"""

from axes.signals import user_locked_out
from django.dispatch import receiver

from core.lists import EXPORT_KIND, list_exported

from .models import AuditKind
from .services import record


@receiver(user_locked_out, dispatch_uid="audit_user_locked_out")
def login_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    record(
        AuditKind.LOGIN_LOCKED_OUT,
        actor_name=str(username or "")[:150],
        request=request,
        ip=ip_address,
        target=f"login:{username or ''}"[:200],
        summary=str(username or ""),
    )


@receiver(list_exported, dispatch_uid="audit_list_exported")
def list_export(sender, request, title, file_format, rows, filters, **kwargs) -> None:
    """A list page's export: who, which list, how many rows, with which filters."""
    record(
        EXPORT_KIND,
        actor=request.user,
        target=request.path,
        summary=f"{title} {file_format} {rows}",
        after={"filters": filters, "rows": rows, "format": file_format},
    )
