"""What an audit entry says, rendered in the reader's language when it is read.

The stored row (kind, target, summary, before, after) is what the chain's hash covers: it is never
changed, and the CSV and Excel exports and the API give it as stored. Pages show it rendered from
the structured fields: the kind decides the sentence, states and roles read through their model's
choices, objects by their human name (the unit and period of a submission, a framework's name and
version) with the id only in the link, before/after keys by label and values in words. An entry
whose objects no longer exist still renders, from what it stored.

`render_entries` makes one query per kind of object named on the page, whatever the number of
entries.
"""

import mimetypes
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assessment.choices import FrameworkStatus, PeriodKind, SubmissionState
from assessment.models import Framework, Indicator, Period, RollupSettings, Submission
from audit.models import AuditEntry, AuditKind
from organizations.choices import Role
from organizations.models import ImportBatch, Organization
from records.models import Meeting, NegativeEvent
from rectification.models import Rectification
from reports.choices import ReportFormat, Trigger
from reports.models import ReportSchedule
from standards.choices import Decision


@dataclass(frozen=True)
class Change:
    """One key of an entry's before/after, labelled, its values in words (None: absent)."""

    key: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class Shown:
    """An entry as a page shows it."""

    entry: AuditEntry
    summary: str = ""
    target: str = ""
    url: str = ""
    changes: list[Change] = field(default_factory=list)


# The labels of before/after keys; a key not listed is shown as stored.
KEY_LABELS = {
    "state": gettext_lazy("state"),
    "reason": gettext_lazy("reason"),
    "indicator": gettext_lazy("indicator"),
    "name": gettext_lazy("file name"),
    "content_type": gettext_lazy("file type"),
    "size": gettext_lazy("size"),
    "sha256": "SHA-256",
    "data_sha256": gettext_lazy("data SHA-256"),
    "status": gettext_lazy("status"),
    "replaced_draft": gettext_lazy("replaced a draft"),
    "archived": gettext_lazy("versions archived"),
    "framework": gettext_lazy("framework"),
    "version": gettext_lazy("version"),
    "kind": gettext_lazy("kind"),
    "start": gettext_lazy("start"),
    "end": gettext_lazy("end"),
    "deadline": gettext_lazy("deadline"),
    "submissions": gettext_lazy("submissions"),
    "locked": gettext_lazy("submissions locked"),
    "values": gettext_lazy("values changed"),
    "parent": gettext_lazy("parent organization"),
    "path": gettext_lazy("place in the tree"),
    "user": gettext_lazy("user"),
    "role": gettext_lazy("role"),
    "format": gettext_lazy("format"),
    "formats": gettext_lazy("formats"),
    "trigger": gettext_lazy("trigger"),
    "active": gettext_lazy("active"),
    "items": gettext_lazy("rectification items"),
    "owner": gettext_lazy("owner"),
    "due_date": gettext_lazy("due date"),
    "plan": gettext_lazy("plan"),
    "progress_note": gettext_lazy("progress"),
    "counts": gettext_lazy("rows"),
    "errors": gettext_lazy("errors"),
    "own_weight": gettext_lazy("weight of the own score"),
    "children": gettext_lazy("children weighted"),
    "missing": gettext_lazy("missing submissions"),
    "source": gettext_lazy("signs in through"),
    "external_id": gettext_lazy("directory identity"),
    "employee_number": gettext_lazy("employee number"),
    "person": gettext_lazy("person"),
    "full_name": gettext_lazy("full name"),
    "email": gettext_lazy("e-mail"),
}

# Keys that repeat another key for the machine (the user's id beside their name).
HIDDEN_KEYS = {"username"}

COUNT_LABELS = {
    "create": gettext_lazy("created"),
    "update": gettext_lazy("updated"),
    "move": gettext_lazy("moved"),
    "unchanged": gettext_lazy("unchanged"),
}

VALUE_FIELDS = {
    "value": gettext_lazy("values entered"),
    "reviewed_value": gettext_lazy("reviewer's assessment"),
}

VERSION_AND_FIELD = re.compile(r" v(\d+) (\w+)$")

OBJECT_TYPES = {
    "submission": gettext_lazy("submission"),
    "framework": gettext_lazy("framework"),
    "indicator": gettext_lazy("indicator"),
    "period": gettext_lazy("period"),
    "organization": gettext_lazy("organization"),
    "role": gettext_lazy("role"),
    "import": gettext_lazy("import"),
    "file": gettext_lazy("import"),
    "report": gettext_lazy("report"),
    "report-schedule": gettext_lazy("report schedule"),
    "rectification": gettext_lazy("rectification item"),
    "login": gettext_lazy("sign-in"),
    "rollup-settings": gettext_lazy("roll-up settings"),
    "meeting": gettext_lazy("meeting"),
    "talk": gettext_lazy("heart-to-heart talk"),
    "duespayment": gettext_lazy("dues payment"),
    "studyrecord": gettext_lazy("study record"),
    "pointsentry": gettext_lazy("points entry"),
    "pointspublication": gettext_lazy("points publication"),
    "negativeevent": gettext_lazy("negative event"),
    "title": gettext_lazy("title"),
    "starrating": gettext_lazy("star rating"),
    "memberappraisal": gettext_lazy("member appraisal"),
    "membergrade": gettext_lazy("member's grade"),
    "followup": gettext_lazy("follow-up"),
    "secretaryreport": gettext_lazy("secretary's annual report"),
    "secretaryreportdocument": gettext_lazy("report document"),
    "termresult": gettext_lazy("term result"),
    "business": gettext_lazy("business figures"),
    "business-measure": gettext_lazy("business measure"),
    "apitoken": gettext_lazy("API token"),
    "second-factor": gettext_lazy("second factor"),
}

# Results of the standards app, named by kind and id, with the page of each (the pages check the
# reader's scope again).
RESULT_PAGES = {
    "title": "standards:title_detail",
    "starrating": "standards:star_detail",
    "memberappraisal": "standards:appraisal_detail",
    "followup": "standards:follow_up_detail",
    "secretaryreport": "standards:secretary_report",
    "termresult": "standards:term_detail",
}


def _target(entry: AuditEntry) -> tuple[str, str]:
    kind, _sep, ident = entry.target.partition(":")
    return kind, ident


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _Objects:
    """The objects the page's entries name, fetched once per model."""

    def __init__(self, entries: list[AuditEntry]) -> None:
        wanted: dict[str, set[int]] = defaultdict(set)
        for entry in entries:
            kind, ident = _target(entry)
            if (pk := _int(ident)) is not None:
                wanted[kind].add(pk)
            if kind == "business":  # "business:<organization>:<year>"
                wanted["organization"].update(_ints([ident.partition(":")[0]]))
            if kind == "indicator" and entry.summary.startswith("framework:"):
                wanted["framework"].add(_int(entry.summary[10:].split(" ")[0]) or 0)
            for data in (entry.before, entry.after):
                if not isinstance(data, dict):
                    continue
                if entry.kind.startswith("framework"):
                    wanted["framework"].update(_ints(data.get("archived")))
                    wanted["framework"].update(_ints([data.get("framework")]))
                if entry.kind.startswith("organization"):
                    wanted["organization"].update(_ints([data.get("parent")]))
                    wanted["organization"].update(_ints(str(data.get("path", "")).split("/")))
                if entry.kind == AuditKind.RECTIFICATION_CREATED:
                    ids = (str(item).split(":")[0] for item in data.get("items") or [])
                    wanted["organization"].update(_ints(ids))
                if entry.kind == AuditKind.RECTIFICATION_TRANSITION:
                    wanted["user"].update(_ints([data.get("owner")]))
        self.submissions = _fetch(Submission.objects.select_related("period"), wanted["submission"])
        self.frameworks = _fetch(Framework.objects, wanted["framework"])
        self.indicators = _fetch(Indicator.objects.select_related("framework"), wanted["indicator"])
        self.periods = _fetch(Period.objects, wanted["period"])
        self.organizations = _fetch(
            Organization.objects.only("id", "name", "name_en", "code"), wanted["organization"]
        )
        self.batches = _fetch(ImportBatch.objects.only("id", "kind", "filename"), wanted["import"])
        self.schedules = _fetch(
            ReportSchedule.objects.only("id", "name"), wanted["report-schedule"]
        )
        self.rectifications = _fetch(
            Rectification.objects.select_related("organization"), wanted["rectification"]
        )
        self.users = _fetch(get_user_model().objects, wanted["user"])
        self.meetings = _fetch(Meeting.objects.only("id", "date", "topic"), wanted["meeting"])
        self.events = _fetch(
            NegativeEvent.objects.only("id", "date", "title"), wanted["negativeevent"]
        )


def _ints(values: Iterable[Any] | None) -> set[int]:
    return {pk for pk in (_int(v) for v in values or []) if pk is not None}


def _fetch(manager, ids: set[int]) -> dict[int, Any]:
    ids = {pk for pk in ids if pk}
    return manager.in_bulk(ids) if ids else {}


def render_entries(entries: list[AuditEntry]) -> list[Shown]:
    """The entries as the page shows them, in the active language."""
    objects = _Objects(entries)
    return [_render(entry, objects) for entry in entries]


def render_entry(entry: AuditEntry) -> Shown:
    return render_entries([entry])[0]


# -- objects ------------------------------------------------------------------------------------


def _fallback(kind: str, ident: str) -> str:
    label = OBJECT_TYPES.get(kind)
    if label is None:
        return ""
    return _("%(object)s #%(id)s") % {"object": label, "id": ident} if ident else str(label)


def _submission_name(submission: Submission) -> str:
    return f"{submission.subject_name} · {submission.period.display_name}"


def _framework_name(framework: Framework) -> str:
    return f"{framework.display_name} {framework.version}"


def _object(entry: AuditEntry, objects: _Objects) -> tuple[str, str]:
    """The target's human name and the link to its page ("" when it has none)."""
    kind, ident = _target(entry)
    pk = _int(ident)
    if kind == "submission" and (submission := objects.submissions.get(pk)):
        return _submission_name(submission), reverse("assessment:submission", args=[pk])
    if kind == "framework" and (framework := objects.frameworks.get(pk)):
        return _framework_name(framework), reverse("assessment:framework_detail", args=[pk])
    if kind == "indicator" and (indicator := objects.indicators.get(pk)):
        name = f"{_framework_name(indicator.framework)} · {indicator.code} {indicator.display_name}"
        return name, reverse("assessment:framework_detail", args=[indicator.framework_id])
    if kind == "period" and (period := objects.periods.get(pk)):
        return period.display_name, reverse("assessment:period_list")
    if kind == "organization" and (org := objects.organizations.get(pk)):
        return org.display_name, reverse("organizations:detail", args=[pk])
    if kind == "role":
        grant = entry.after or entry.before or {}
        name = _("%(user)s as %(role)s") % {
            "user": grant.get("username", ""),
            "role": _choice(Role, grant.get("role")),
        }
        url = reverse("organizations:detail", args=[entry.organization_id])
        return name, url if entry.organization_id else ""
    if kind == "import" and (batch := objects.batches.get(pk)):
        return f"{batch.get_kind_display()} · {batch.filename}", ""
    if kind == "report" and pk is not None:
        return _("Report #%(id)s") % {"id": pk}, reverse("reports:detail", args=[pk])
    if kind == "report-schedule" and (schedule := objects.schedules.get(pk)):
        return schedule.name, reverse("reports:schedule_edit", args=[pk])
    if kind == "rectification" and (item := objects.rectifications.get(pk)):
        name = f"{item.organization.display_name} · {item.indicator_code}"
        return name, reverse("rectification:detail", args=[pk])
    if kind == "meeting" and (meeting := objects.meetings.get(pk)):
        return f"{meeting.date:%Y-%m-%d} {meeting.topic}", reverse(
            "records:meeting_detail", args=[pk]
        )
    if kind == "negativeevent" and (event := objects.events.get(pk)):
        return f"{event.date:%Y-%m-%d} {event.title}", reverse("records:negative_detail", args=[pk])
    if kind == "business":  # an organization's figures of a year: "business:<org>:<year>"
        org_id, _sep, year = ident.partition(":")
        org = objects.organizations.get(_int(org_id))
        name = f"{org.display_name} · {year}" if org else _fallback(kind, ident)
        return name, reverse("business:organization", args=[org_id]) if org else ""
    if kind in RESULT_PAGES and pk is not None:
        return _fallback(kind, ident), reverse(RESULT_PAGES[kind], args=[pk])
    if kind in ("login", "second-factor"):  # named by the username
        return ident, ""
    if kind == "apitoken":  # "<owner>: <name> (<prefix>…)", written when it was issued
        return entry.summary, ""
    if kind == "rollup-settings":  # named by the framework code it stored, which outlives the row
        return _("Roll-up settings of %(code)s") % {"code": entry.summary}, ""
    if kind == "file":
        return str(OBJECT_TYPES["file"]), ""
    return _fallback(kind, ident), ""


# -- values -------------------------------------------------------------------------------------


def _choice(choices, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return "" if value is None else str(value)


def _words(value: Any) -> str | None:
    """A stored value in words: yes/no, lists joined, maps as key: value."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "、".join(_words(v) or "—" for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{k}: {_words(v) or '—'}" for k, v in value.items()) or "—"
    return str(value)


def _file_type(content_type: Any) -> str | None:
    if not content_type:
        return None
    extension = mimetypes.guess_extension(str(content_type).split(";")[0].strip())
    return extension.lstrip(".").upper() if extension else _("other")


def _value_formatters(entry: AuditEntry, objects: _Objects) -> dict[str, Callable[[Any], Any]]:
    """How each key's value reads for this kind of entry."""
    state_choices = (
        Rectification.State if entry.kind.startswith("rectification") else SubmissionState
    )

    def framework(pk):
        found = objects.frameworks.get(_int(pk))
        return _framework_name(found) if found else pk

    def organization(pk):
        found = objects.organizations.get(_int(pk))
        return found.display_name if found else pk

    def user(pk):
        found = objects.users.get(_int(pk))
        return found.get_username() if found else pk

    def items(values):
        pairs = (str(item).split(":", 1) for item in values or [])
        return [f"{organization(org)} {code}" for org, code in pairs]

    def counts(values):
        if not isinstance(values, dict):
            return values
        return "；".join(f"{COUNT_LABELS.get(k, k)} {n}" for k, n in values.items())

    formatters: dict[str, Callable[[Any], Any]] = {
        "state": lambda v: _choice(state_choices, v),
        "status": lambda v: _choice(FrameworkStatus, v),
        "role": lambda v: _choice(Role, v),
        "format": lambda v: _choice(ReportFormat, v),
        "formats": lambda v: [_choice(ReportFormat, f) for f in v or []],
        "trigger": lambda v: _choice(Trigger, v),
        "content_type": _file_type,
        "size": lambda v: filesizeformat(v) if v is not None else None,
        "archived": lambda v: [framework(pk) for pk in v or []],
        "framework": framework,
        "parent": organization,
        "path": lambda v: (
            " / ".join(organization(pk) for pk in str(v or "").strip("/").split("/")) if v else v
        ),
        "owner": user,
        "items": items,
        "counts": counts,
        "submissions": lambda v: len(v) if isinstance(v, list) else v,
    }
    if entry.kind == AuditKind.PERIOD_CREATED:
        formatters["kind"] = lambda v: _choice(PeriodKind, v)
    elif entry.kind == AuditKind.IMPORT_COMMITTED:
        formatters["kind"] = lambda v: _choice(ImportBatch.Kind, v)
    if entry.kind == AuditKind.FRAMEWORK_CLONED:
        formatters["framework"] = framework
    if entry.kind == AuditKind.ROLLUP_SETTINGS_SAVED:
        formatters["children"] = lambda v: _choice(RollupSettings.Children, v)
        formatters["missing"] = lambda v: _choice(RollupSettings.Missing, v)
    if entry.kind in (AuditKind.ROLE_ASSIGNED, AuditKind.ROLE_REVOKED):
        grant = entry.after or entry.before or {}
        formatters["user"] = lambda v: grant.get("username") or user(v)
    return formatters


def _changes(entry: AuditEntry, objects: _Objects) -> list[Change]:
    before, after = entry.before, entry.after
    if not (isinstance(before, dict | None) and isinstance(after, dict | None)):
        return [Change("", _words(before), _words(after))]
    before, after = before or {}, after or {}
    keys = [k for k in [*before, *(k for k in after if k not in before)] if k not in HIDDEN_KEYS]
    # PostgreSQL's jsonb keeps keys in its own order (shortest first), SQLite as written: show
    # them in the order of KEY_LABELS, then by name, on both.
    keys.sort(key=lambda k: (KEY_ORDER.get(k, len(KEY_ORDER)), k))
    if entry.kind == AuditKind.VALUE_CHANGED:  # keys are indicator codes, values as entered
        return [Change(k, _words(before.get(k)), _words(after.get(k))) for k in keys]
    formatters = _value_formatters(entry, objects)

    def shown(key: str, data: dict) -> str | None:
        if key not in data or data[key] is None:
            return None
        return _words(formatters.get(key, lambda v: v)(data[key]))

    return [Change(_key_label(entry, k), shown(k, before), shown(k, after)) for k in keys]


KEY_ORDER = {key: position for position, key in enumerate(KEY_LABELS)}


def _key_label(entry: AuditEntry, key: str) -> str:
    if entry.kind == AuditKind.FRAMEWORK_CHANGED:  # an indicator's fields, by their names
        try:
            return str(Indicator._meta.get_field(key).verbose_name)
        except LookupError:
            pass
    return str(KEY_LABELS.get(key, key))


# -- summaries ----------------------------------------------------------------------------------


def _summary(entry: AuditEntry, target: str) -> str:
    kind = entry.kind
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    if kind == AuditKind.VALUE_CHANGED:
        # The version and the field are only in the stored summary: "<subject> v<n> <field>".
        found = VERSION_AND_FIELD.search(entry.summary)
        version, field_name = found.groups() if found else ("—", "value")
        return _("%(subject)s, version %(version)s: %(what)s") % {
            "subject": target,
            "version": version,
            "what": VALUE_FIELDS.get(field_name, VALUE_FIELDS["value"]),
        }
    if kind in (AuditKind.SUBMISSION_TRANSITION, AuditKind.RECTIFICATION_TRANSITION):
        choices = (
            SubmissionState if kind == AuditKind.SUBMISSION_TRANSITION else Rectification.State
        )
        return _("%(subject)s: %(before)s → %(after)s") % {
            "subject": target,
            "before": _choice(choices, before.get("state")),
            "after": _choice(choices, after.get("state")),
        }
    if kind in (AuditKind.EVIDENCE_ADDED, AuditKind.EVIDENCE_REMOVED):
        facts = after or before
        return _("%(subject)s: %(indicator)s %(file)s") % {
            "subject": target,
            "indicator": facts.get("indicator", ""),
            "file": facts.get("name", ""),
        }
    if kind == AuditKind.IMPORT_COMMITTED:
        return _import_summary(entry, target, after)
    if kind in (AuditKind.TITLE_DECIDED, AuditKind.STARS_DECIDED) and "state" in after:
        return _("%(subject)s: %(before)s → %(after)s") % {
            "subject": f"{target} ({entry.summary})" if entry.summary else target,
            "before": _choice(Decision, before.get("state")),
            "after": _choice(Decision, after.get("state")),
        }
    if kind == AuditKind.REPORT_GENERATED:
        return _("Report #%(id)s (%(format)s) of %(organization)s generated.") % {
            "id": _target(entry)[1],
            "format": str(after.get("format", "")).upper(),
            "organization": entry.organization.display_name if entry.organization else "—",
        }
    if kind == AuditKind.RECTIFICATION_CREATED:
        count = len(after.get("items") or [])
        return ngettext(
            "%(count)d rectification item opened from scores",
            "%(count)d rectification items opened from scores",
            count,
        ) % {"count": count}
    if kind == AuditKind.PERIOD_OPENED and "submissions" in after:
        return _("%(period)s: %(count)s submissions created") % {
            "period": target,
            "count": after["submissions"],
        }
    return target or entry.summary


def _import_summary(entry: AuditEntry, target: str, after: dict) -> str:
    if "submissions" in after:  # an Excel workbook of values
        count = len(after.get("submissions") or [])
        return ngettext(
            "Values of %(count)d submission imported from a workbook",
            "Values of %(count)d submissions imported from a workbook",
            count,
        ) % {"count": count}
    if entry.target.startswith("file:"):  # from the command line: no batch row
        name = entry.summary.partition(": ")[2].removesuffix(" (command line)")
        return _("%(kind)s from %(file)s, on the command line") % {
            "kind": _choice(ImportBatch.Kind, after.get("kind")),
            "file": name,
        }
    return target


def _render(entry: AuditEntry, objects: _Objects) -> Shown:
    target, url = _object(entry, objects)
    return Shown(
        entry=entry,
        summary=_summary(entry, target),
        target=target,
        url=url,
        changes=_changes(entry, objects),
    )
