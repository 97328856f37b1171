"""Reads of the audit trail for pages, exports and the API, always within the auditor's scope.

The trail (`audit`) sits below the organizations and knows nothing of roles: the scope is applied
here, by the portal's one access check (`organizations.scope`), through `AuditTrail`.
"""

from collections.abc import Iterator

from django.db.models import F, QuerySet

from assessment.models import Period
from audit.models import AuditEntry, AuditEntryQuerySet
from organizations.choices import Action
from organizations.models import Organization
from organizations.scope import ScopedQuerySet, scope_prefixes

# The organization picker lists the top levels of the scope; deeper units are reached by id.
PICKER_LEVELS = 3
PICKER_LIMIT = 500


class AuditTrail(AuditEntryQuerySet, ScopedQuerySet):
    """Audit entries as the scope allows them: always by the `audit` action, still append-only.

    An entry hangs from an organization when the event concerns one; an auditor sees those of
    the subtrees they audit. Entries about no organization (framework publications, logins) are
    group-wide: only auditors and administrators of a whole tree (a root organization) see them.
    Whatever action a caller names, reading the trail takes the audit action: a secretary who may
    view a branch does not read its audit trail.
    """

    group_wide_field = "organization"

    def restrict(self, user, action: str = Action.AUDIT) -> "AuditTrail":
        return super().restrict(user, Action.AUDIT)


def trail() -> AuditTrail:
    """Every entry, to be restricted (`.restrict(user)`) before anything is read."""
    return AuditTrail(AuditEntry)


def may_audit(user) -> bool:
    """Whether the user audits anything at all (auditors and administrators)."""
    return scope_prefixes(user, Action.AUDIT) != []


def entries(user) -> QuerySet[AuditEntry]:
    """The entries the user may read, newest first, with what a list row shows."""
    return trail().restrict(user).select_related("organization", "period").order_by("-id")


def organization_choices(user, selected: int | None = None) -> list[Organization]:
    """Organizations of the audit scope for the filter's picker (the top levels only)."""
    visible = Organization.objects.restrict(user, Action.AUDIT).only(
        "id", "name", "name_en", "code", "path", "depth"
    )
    top = visible.order_by("depth").values_list("depth", flat=True).first()
    if top is None:
        return []
    choices = list(visible.filter(depth__lt=top + PICKER_LEVELS)[:PICKER_LIMIT])
    if selected and all(org.pk != selected for org in choices):
        choices += list(visible.filter(pk=selected))
    return choices


def period_choices() -> QuerySet[Period]:
    return Period.objects.order_by("-start", "kind").only("id", "name", "name_en", "start", "kind")


EXPORT_COLUMNS = (
    "id",
    "at",
    "kind",
    "actor_name",
    "ip",
    "organization_code",
    "organization_name",
    "period_name",
    "target",
    "summary",
    "before",
    "after",
    "prev_hash",
    "hash",
)


def export_rows(queryset: QuerySet[AuditEntry], *, chunk_size: int = 2000) -> Iterator[tuple]:
    """The filtered entries as plain tuples in EXPORT_COLUMNS order, streamed in the queryset's
    order (the list's), in id order when it has none."""
    if not queryset.ordered:
        queryset = queryset.order_by("id")
    rows = queryset.annotate(
        organization_code=F("organization__code"),
        organization_name=F("organization__name"),
        period_name=F("period__name"),
    ).values_list(*EXPORT_COLUMNS)
    return rows.iterator(chunk_size=chunk_size)
