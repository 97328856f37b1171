"""An organization's results beside its scores: its term (the one holding the period's year),
its secretary's report rating, its confirmed titles and stars of the period, and for a root
organization the group's record. Read from the standards app's selectors (the organization was
read through the scope by the caller)."""

from __future__ import annotations

from dataclasses import dataclass

from assessment.models import Period
from organizations.models import Organization
from standards import config
from standards.models import TermResult
from standards.selectors import terms as standards_terms
from standards.terms import GroupRecord


@dataclass
class Results:
    term: TermResult | None
    results: standards_terms.OrganizationResults
    record: GroupRecord | None


def term_of_year(organization: Organization, period: Period) -> TermResult | None:
    """The organization's term holding the period's year (one query; none when the period's
    framework has no terms)."""
    if config.for_period(period).terms is None:
        return None
    year = period.start.year
    return TermResult.objects.filter(
        organization=organization, first_year__lte=year, last_year__gte=year
    ).first()


def results_of(user, organization: Organization, period: Period) -> Results:
    """One query for each part the period's framework has: terms (two for a root organization:
    its record), secretaries' reports, titles, stars."""
    return Results(
        term=term_of_year(organization, period),
        results=standards_terms.organization_results(user, organization, period),
        record=(
            standards_terms.group_record(organization)
            if organization.parent_id is None and config.for_period(period).terms is not None
            else None
        ),
    )
