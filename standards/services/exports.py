"""The audit entry of a results export: who exported which parts of which period, how many rows.

The export itself only reads (standards/selectors/exports.py); recording it is the write, in its
own transaction before the first byte is sent, so an export that was sent is always in the trail.
"""

from django.db import transaction

from audit.models import AuditKind
from audit.services import record


def record_export(
    period, *, parts, counts: dict[str, int], file_format: str, organization, acting_user
) -> None:
    with transaction.atomic():
        record(
            AuditKind.RESULTS_EXPORTED,
            actor=acting_user if getattr(acting_user, "is_authenticated", False) else None,
            organization=organization.pk if organization is not None else None,
            period=period.pk,
            target=f"period:{period.pk}",
            summary=f"{period.name} {file_format} {sum(counts.values())}",
            after={"parts": list(parts), "rows": counts, "format": file_format},
        )
