"""How log lines look: JSON lines for a log shipper, or plain text for a developer's terminal.

Settings pick one (`LOG_FORMAT`); both carry the request id of the request or task being served,
and on a worker the task's id and name (`core.request_ids`). The fields of a JSON line are listed
in docs/monitoring.md.
"""

import logging

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from core.request_ids import current_request_id, current_task


class ContextFilter(logging.Filter):
    """Adds `request_id` (None outside a request or task) and, in a task, `task_id` and
    `task_name` to every record the handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        task = current_task()
        if task is not None:
            record.task_id, record.task_name = task
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message, request_id, and
    whatever `extra` a call passed (task_id and task_name on a worker)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s %(request_id)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        # Chinese stays readable in the log rather than \\u escapes.
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)


class TextFormatter(logging.Formatter):
    """`time level logger [request id task] message`, the context left out where there is none."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        parts = [getattr(record, "request_id", None)]
        task_name = getattr(record, "task_name", None)
        if task_name:
            parts.append(f"{task_name}[{record.task_id}]")
        shown = [part for part in parts if part]
        record.context = f" [{' '.join(shown)}]" if shown else ""
        return super().format(record)
