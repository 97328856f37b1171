"""Liveness and readiness: the database, Redis when configured, and the PDF reports' font; and
whether the Celery beat and a worker are alive.

Anyone may ask whether the portal is up (`{"status": "ok"}` or `"degraded"` with 503); which
check failed, the database vendor and the font's files are shown only to staff and superuser
sessions and to the monitoring addresses of HEALTHZ_ALLOWED_IPS, since they tell an attacker
what runs behind the portal. The caller's address is REMOTE_ADDR, or X-Forwarded-For only from
a trusted proxy (`client_address.client_ip`), so the header cannot claim a monitoring address.

The beat and the worker are "alive", "stale" (their last heartbeat older than
HEARTBEAT_STALE_AFTER seconds) or "never seen", with the age; they do not turn the answer into
a 503, because the web node itself still serves pages: a load balancer must not take it out
for a worker's fault. Monitoring alerts on them (docs/monitoring.md).
"""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from core.client_address import client_in

from .heartbeats import last_seen

HEALTHY = {"ok", "not configured"}


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; say which kind
        return {"status": "down", "error": exc.__class__.__name__}
    return {"status": "ok", "vendor": connection.vendor}


def _redis() -> dict:
    if not settings.REDIS_URL:
        return {"status": "not configured"}
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
    except redis.RedisError as exc:
        return {"status": "down", "error": exc.__class__.__name__}
    return {"status": "ok"}


def _report_font() -> dict:
    from reports import fonts

    problems = fonts.problems()
    if problems:
        return {"status": "missing", "problems": problems}
    return {"status": "ok", "family": fonts.FAMILY}


def _background() -> dict:
    """The beat's and the worker's heartbeats: status, age in seconds, when and where."""
    try:
        seen = last_seen()
    except DatabaseError as exc:  # the database check says why
        return {
            process: {"status": "unknown", "error": exc.__class__.__name__}
            for process in ("beat", "worker")
        }
    checks = {}
    for process, heartbeat in seen.items():
        check: dict = {"status": heartbeat.status}
        if heartbeat.at is not None:
            check.update(
                age_seconds=heartbeat.age_seconds,
                last=heartbeat.at.isoformat(),
                host=heartbeat.host,
            )
        checks[process] = check
    return checks


def may_see_details(request: HttpRequest) -> bool:
    """Staff and superusers, and callers from a monitoring address, see each check."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and (user.is_staff or user.is_superuser):
        return True
    return client_in(request, settings.HEALTHZ_ALLOWED_IPS)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database(), "redis": _redis(), "report_font": _report_font()}
    healthy = all(check["status"] in HEALTHY for check in checks.values())
    body: dict = {"status": "ok" if healthy else "degraded"}
    if may_see_details(request):
        body["checks"] = {**checks, **_background()}
    return JsonResponse(body, status=200 if healthy else 503)
