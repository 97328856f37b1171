"""The columns of the assessment app's list pages (`core.lists.Column`): the key a heading sorts
by in the query string, what orders it and what its exported file holds.

A column without `order` cannot be sorted by; one without `value` is drawn but not exported
(the action buttons) and one with a `value` only is exported but not drawn (the reason of a
return). Names sort in the language of the page, as they are shown.
"""

import datetime

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.lists import Column


def _name_field(prefix: str = "") -> str:
    """The bilingual name field a page in the current language shows (`display_name`)."""
    return f"{prefix}name_en" if (get_language() or "").startswith("en") else f"{prefix}name"


def _day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment is not None else None


def _fact(name: str):
    """A computed column of the queue (`selectors.queues.QueueFacts`); empty without facts."""
    return lambda s: getattr(s.facts, name) if s.facts is not None else None


# The review queue sorts by its own keys (`selectors.queues.QUEUE_SORTS`, nulls last, ties in the
# review order) and draws its own headings: these columns only say what its file holds.
QUEUE_COLUMNS = (
    Column("name", _("Subject"), value=lambda s: s.subject_name),
    Column("organization", _("Organization"), value=lambda s: s.organization.display_name),
    Column("kind", _("Unit kind"), value=lambda s: s.kind_name),
    Column("period", _("Period"), value=lambda s: s.period.display_name),
    Column("state", _("State"), value=lambda s: s.get_state_display()),
    Column("score", _("Score"), value=_fact("points")),
    Column("max", _("Maximum"), value=lambda s: s.facts.max if s.facts is not None else None),
    Column("grade", _("Grade"), value=lambda s: s.grade_name),
    Column("veto", _("Veto"), value=lambda s: "; ".join(s.veto_names)),
    Column("warnings", _("Warnings"), value=_fact("warnings")),
    Column("evidence", _("Evidence"), value=lambda s: s.evidence_count),
    Column("waiting", _("Days waiting"), value=lambda s: s.days_waiting),
)

# A secretary's to-do list; by state (the default) is the list's own order: returned ones first,
# then drafts, then submitted ones, each by deadline.
MY_SUBMISSIONS_COLUMNS = (
    Column(
        "subject",
        _("Subject"),
        ("subject_name", "organization__path"),
        lambda s: s.subject_name,
    ),
    Column(
        "organization",
        _("Organization"),
        ("organization__path", "subject_name"),
        lambda s: s.organization.display_name,
    ),
    Column(
        "period",
        _("Period"),
        ("period__start", "period__kind", "organization__path"),
        lambda s: s.period.display_name,
    ),
    Column(
        "deadline",
        _("Deadline"),
        ("period__deadline", "organization__path"),
        lambda s: s.period.deadline,
    ),
    Column(
        "state",
        _("State"),
        ("state_rank", "period__deadline", "organization__path", "subject_name"),
        lambda s: s.get_state_display(),
    ),
    Column("reason", _("Reason"), value=lambda s: s.return_reason or ""),
    Column("returned_by", _("Returned by"), value=lambda s: s.returned_by or ""),
    Column("returned_on", _("Returned on"), value=lambda s: _day(s.returned_at)),
)

# Completeness: rows worked out in memory (`selectors.queues.CompletenessRow`), sorted by their
# attributes; `label` is set by the view (the organization, "… itself" or "Total").
COMPLETENESS_COLUMNS = (
    Column("organization", _("Organization"), ("organization__code",), lambda r: r.label),
    Column("code", _("Code"), value=lambda r: r.organization.code if r.organization else ""),
    Column("expected", _("Expected"), ("expected",), lambda r: r.expected),
    Column("submitted", _("Submitted"), ("submitted",), lambda r: r.submitted),
    Column("approved", _("Approved"), ("approved",), lambda r: r.approved),
    Column("overdue", _("Overdue"), ("overdue",), lambda r: r.overdue),
    Column("progress", _("Progress"), ("percent_submitted",), lambda r: r.percent_submitted),
)


def _counts(name: str):
    """A count of the period's submissions in the user's scope, set by the view."""
    return lambda p: getattr(p.counts, name)


def period_columns() -> tuple[Column, ...]:
    """The periods list; by dates (descending, the default) is the newest first, a year before
    its quarters and months that start with it (as `Period.Meta.ordering`)."""
    return (
        Column("name", _("Name"), (_name_field(), "start"), lambda p: p.display_name),
        Column("kind", _("Kind"), ("kind", "-start"), lambda p: p.get_kind_display()),
        Column(
            "framework",
            _("Framework"),
            ("framework__code", "framework__version", "-start"),
            lambda p: str(p.framework),
        ),
        Column("dates", _("Dates"), ("start", "-kind")),
        Column("start", _("Start"), value=lambda p: p.start),
        Column("end", _("End"), value=lambda p: p.end),
        Column("deadline", _("Deadline"), ("deadline", "-kind"), lambda p: p.deadline),
        Column("status", _("Status"), ("status", "-start"), lambda p: p.get_status_display()),
        Column("total", _("Submissions"), value=_counts("total")),
        Column("submitted", _("Submitted"), value=_counts("submitted")),
        Column("approved", _("Approved"), value=_counts("approved")),
        Column("actions", _("Actions")),
    )


def framework_columns() -> tuple[Column, ...]:
    """The frameworks list; by code (the default) is each framework's newest version first (as
    `Framework.Meta.ordering`)."""
    return (
        Column("name", _("Name"), (_name_field(), "code", "-version"), lambda f: f.display_name),
        Column("code", _("Code"), ("code", "-version"), lambda f: f.code),
        Column("version", _("Version"), ("version", "code"), lambda f: f.version),
        Column("status", _("Status"), ("status", "code"), lambda f: f.get_status_display()),
        Column("dimensions", _("Dimensions"), ("dimension_count",), lambda f: f.dimension_count),
        Column("indicators", _("Indicators"), ("indicator_count",), lambda f: f.indicator_count),
        Column("published", _("Published"), ("published_at",), lambda f: _day(f.published_at)),
        Column("actions", _("Actions")),
    )


def notice_columns(text, link) -> tuple[Column, ...]:
    """A user's notices, newest first by default; `text` and `link` word a notice and say where
    it leads (`services.notices`), in the page's language."""
    return (
        Column("time", _("Time"), ("created_at",), lambda n: timezone.localtime(n.created_at)),
        Column("kind", _("Kind"), ("kind", "-created_at"), lambda n: n.get_kind_display()),
        Column("read", _("Read"), ("is_read", "-created_at"), lambda n: n.read_at is not None),
        Column("text", _("Notice"), value=text),
        Column("link", _("Link"), value=link),
    )
