"""The request id: one per web request, carried into the Celery tasks the request starts.

The middleware takes the id nginx sent (`X-Request-ID`) when the request comes from a trusted
proxy and the id looks like one, or makes a new one; it answers with the id in the same header
so a user's report of a failure can be matched to the log. The id lives in a context variable
that the log filter (`core.logs`) reads, so every line logged while the request is served
carries it.

Publishing a task copies the id into the message's headers (`before_task_publish`); in the
worker, `task_prerun` sets it again with the task's id and name, and `task_postrun` clears
them, so the worker's lines of that task carry the same id. In eager mode (tests) the task runs
inside the request and simply keeps the request's id.
"""

import re
import uuid
from contextvars import ContextVar, Token
from typing import Any

from celery import signals
from django.http import HttpRequest, HttpResponse

from core.client_address import from_trusted_proxy

HEADER = "X-Request-ID"
# The key of the id in a task message's headers.
TASK_HEADER = "request_id"
# Letters, digits and . _ - : only, so an id never breaks a log line or a header; nginx's
# $request_id (32 hex digits) and UUIDs pass.
_SANE = re.compile(r"[A-Za-z0-9._:-]{8,128}")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_task: ContextVar[tuple[str, str] | None] = ContextVar("task", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def current_task() -> tuple[str, str] | None:
    """(task id, task name) of the task this worker thread runs, or None."""
    return _task.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def incoming_request_id(request: HttpRequest) -> str:
    """The proxy's id when a trusted proxy sent one that looks sane, else a new one."""
    offered = request.headers.get(HEADER, "")
    if offered and _SANE.fullmatch(offered) and from_trusted_proxy(request):
        return offered
    return new_request_id()


class RequestIdMiddleware:
    """Gives each request its id, for the log lines it causes and the response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = incoming_request_id(request)
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[HEADER] = request_id
        return response


@signals.before_task_publish.connect
def _add_request_id_header(headers: dict | None = None, **_: Any) -> None:
    request_id = _request_id.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


# Tokens to restore the context after each task, by task id (a thread pool may run several).
_tokens: dict[str, tuple[Token, Token]] = {}


def _header_of(task: Any) -> str | None:
    """The id a task's message carried: a worker turns message headers into request
    attributes; a task applied with explicit headers keeps them in `request.headers`."""
    request = task.request
    value = getattr(request, TASK_HEADER, None) or (getattr(request, "headers", None) or {}).get(
        TASK_HEADER
    )
    return value if isinstance(value, str) and _SANE.fullmatch(value) else None


@signals.task_prerun.connect
def _enter_task(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    if task_id is None or task is None:
        return
    request_id = _header_of(task) or _request_id.get()
    _tokens[task_id] = (_request_id.set(request_id), _task.set((task_id, task.name)))


@signals.task_postrun.connect
def _leave_task(task_id: str | None = None, **_: Any) -> None:
    tokens = _tokens.pop(task_id, None) if task_id else None
    if tokens is None:
        return
    request_token, task_token = tokens
    _task.reset(task_token)
    _request_id.reset(request_token)
