"""Writes of the assessment app, one module per area.

Framework writes are re-exported here; periods, submissions and notices are used by module:
``from assessment.services import submissions; submissions.submit(...)``.
"""

from .frameworks import (
    EDITABLE_INDICATOR_FIELDS,
    FrameworkExists,
    archive_framework,
    clone_framework,
    load_framework,
    publish_framework,
    update_indicator,
)

__all__ = [
    "EDITABLE_INDICATOR_FIELDS",
    "FrameworkExists",
    "archive_framework",
    "clone_framework",
    "load_framework",
    "publish_framework",
    "update_indicator",
]
