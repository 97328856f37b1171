"""No English word or internal code on a Chinese page, for any role.

The routes are walked from the URL configuration as in test_scope_urls.py, so a page added later is
scanned the day it is added. Each route's object kwargs are filled with a real object the signed-in
user may see (a scored period, submissions, audit entries of every kind, a report, a rectification
item and one of each record of party life exist, under a framework with the records section). Every
page that answers 200 with HTML is read in zh-Hans: scripts and styles are dropped, tags and
attributes stripped, and what is left must hold no Latin word except those in ALLOWED (units,
formats, grades) and the names and codes of the fixtures' data.
"""

import re
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.urls import get_resolver

from assessment.models import Framework, Indicator, Submission
from audit.models import AuditEntry
from business.models import BusinessMeasure
from organizations.models import ImportBatch, Organization
from tests.builders import build_scored
from tests.html import page, parse
from tests.test_scope_urls import (
    LITERAL_KWARGS,
    Route,
    Target,
    _a_finished_report_and_a_schedule,
    _a_rectification_with_evidence,
    _is_scoped,
    _records_of_party_life,
    _rows,
    _target,
    _walk,
)

pytestmark = pytest.mark.django_db

# Routes not scanned, with the reason.
SKIPPED_PREFIXES = {
    "admin/": "Django's admin: staff only, partly untranslated by Django itself",
    "api/": "JSON for other systems, not screens",
    "i18n/": "the language switch: no page",
    "healthz": "a probe for monitoring, not a screen",
}

# Latin words a Chinese page may show: file formats, units, names of standards and products,
# grades, and the product's own name. Compared case-sensitively.
ALLOWED = {
    "PDF",
    "XLSX",
    "CSV",
    "JPEG",  # the photos a meeting takes
    "PNG",
    "GIF",
    "WebP",
    "Excel",
    "API",
    "ID",
    "SHA-256",
    "SHA",
    "JSON",
    "YAML",
    "URL",
    "IP",
    "HTMX",
    "OpenAPI",
    "Token",
    "A",
    "B",
    "C",
    "D",
    "r",  # the correlation coefficient, as written in statistics
    "n",  # a number of units, likewise
    "Pearson",  # the coefficients are named after them in Chinese statistics too
    "Spearman",
    "partybuild",
    "English",  # the language switch names each language in itself
    "UTF-8",  # encodings and products named as such in Chinese too
    "GBK",
    "Office",
    "YYYY-MM",  # how to write a month or a day, as Chinese software writes it too
    "YYYY-MM-DD",
}

# Text that is data, not wording: e-mail addresses, URLs and paths, file names, hashes,
# indicator and organization codes (C1.01, A1a), numbers with units attached.
DATA_PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),
    re.compile(r"https?://\S+"),
    re.compile(r"(?<!\w)/[\w./?=&%-]*"),
    re.compile(r"[\w.-]+\.(pdf|csv|xlsx|docx?|png|jpe?g|json|yaml)\b", re.IGNORECASE),
    re.compile(r"\b[0-9a-f]{12,}\b"),
    re.compile(r"\b[A-Z][A-Za-z]?\d+[A-Za-z]?(\.\d+)*\b"),
    re.compile(r"(?<!\w)\.(csv|xlsx)\b"),  # a file type named by its extension
    re.compile(r"\bn/a\b"),  # what to type in a workbook for "not applicable"
]

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")
# Routes whose object the URL walk cannot infer from the path.
ROUTE_MODELS = {
    "audit/entries/<int:pk>/": AuditEntry,
    "records/imports/<int:pk>/": ImportBatch,  # the preview of a payroll or study file
}
ROLES = ("alice", "carol", "dave", "erin", "frank")

# Pages whose query string shows more than the bare URL: filters, drill-downs, comparisons, and
# the records of party life in March 2026, when the fixtures' records are dated.
QUERY_PAGES = (
    "/dashboards/organizations/{group}/?submitted=1",
    "/dashboards/organizations/{group}/?indicator=C1.01",
    "/dashboards/organizations/{group}/?kind=branch&grade=C",
    "/assessment/frameworks/compare/?a=1&b=2",
    "/assessment/queue/?state=approved",
    "/audit/?since=yesterday",
    "/audit/?kind=submission",
    "/reports/organizations/?q=甲",
    "/records/organizations/{branch}/meetings/?kind=committee_meeting&year=2026&month=3",
    "/records/organizations/{branch}/talks/?year=2026&month=3",
    "/records/organizations/{branch}/dues/?month=2026-03",
    "/records/organizations/{branch}/study/?year=2026",
    "/records/organizations/{branch}/points/?month=2026-03",
    "/records/organizations/{branch}/points/?year=2026&quarter=1",
    "/records/organizations/{branch}/points/published/?year=2026&quarter=1",
    "/records/calendar/?org={branch}&year=2026",
    "/records/calendar/?org={group}&year=2026&kind=committee_meeting",
    "/records/calendar/?org={group}&year=2026&view=own",
    "/records/negative-events/?org={group}&category=discipline&severity=minor",
)


def _pages() -> list[Route]:
    return [
        r
        for r in _walk(get_resolver().url_patterns)
        if not any(r.route.startswith(p) for p in SKIPPED_PREFIXES)
    ]


def latin_words(text: str, names: set[str]) -> list[str]:
    """The Latin words of `text` that are neither data nor allowed."""
    for pattern in DATA_PATTERNS:
        text = pattern.sub(" ", text)
    found = []
    for word in LATIN_WORD.findall(text):
        word = word.strip("'-")
        if word and word not in ALLOWED and word not in names:
            found.append(word)
    return found


def _urls(route: Route, user) -> Iterator[str]:
    """The route with its kwargs filled by objects the user may see (audit entries: one of each
    kind, so every summary is rendered)."""
    targets = {k: _target(k, route) for k in route.kwargs if k not in LITERAL_KWARGS}
    if route.route in ROUTE_MODELS:
        targets = {"pk": Target(ROUTE_MODELS[route.route], "pk", True)}
    if any(t is None for t in targets.values()):
        return
    if not targets:
        yield "/" + route.template % {k: v for k, v in LITERAL_KWARGS.items() if k in route.kwargs}
        return
    choices: list[dict[str, str]] = [{}]
    for kwarg, target in targets.items():
        queryset = _rows(target.model)
        if _is_scoped(target.model):
            queryset = queryset.restrict(user)
        if target.model is AuditEntry:
            objects = [queryset.filter(kind=kind).first() for kind in _kinds(queryset)]
        else:
            objects = [queryset.order_by("pk").first()]
        objects = [o for o in objects if o is not None]
        choices = [
            {**chosen, kwarg: str(getattr(obj, target.attribute))}
            for chosen in choices
            for obj in objects
        ]
    for values in choices:
        yield "/" + route.template % {**LITERAL_KWARGS, **values}


def _around(text: str, word: str) -> str:
    at = text.find(word)
    return text[max(0, at - 40) : at + 40]


def _kinds(queryset) -> list[str]:
    return sorted(set(queryset.values_list("kind", flat=True)))


@pytest.fixture
def populated(tree, alice, bob, carol, dave, erin, frank):
    """Two scored years over the tree (2025 closed), a returned and a draft submission, a
    rectification item, a finished report and a schedule, records of party life in alice's branch
    (with a published quarter and a payroll file's preview), and the audit entries of all that."""
    from assessment.services import periods, submissions

    scored = build_scored(tree, erin)
    periods.close_period(scored.previous, acting_user=erin)
    _a_rectification_with_evidence(alice, tree.a1a)
    _a_finished_report_and_a_schedule(alice, tree.a1a)
    _records_in_force(scored.current.framework)
    _records_of_party_life(tree.a1a)
    _a_published_quarter_and_a_payroll_preview(alice, tree.a1a)
    draft = Submission.objects.filter(period=scored.current, organization=tree.a1a).first()
    submissions.reopen(draft, reason="补充材料", acting_user=erin)
    _more_audit_kinds(tree, alice, erin, scored)
    return scored


def _records_in_force(framework: Framework) -> None:
    """The framework of the scored years gets the real records section (meeting kinds, dues
    bands, points rules), so calendars, ledgers and meetings show its kinds and rules."""
    from tests.factories.records import framework_with_records

    Framework.objects.filter(pk=framework.pk).update(records=framework_with_records()["records"])


def _a_published_quarter_and_a_payroll_preview(alice, branch: Organization) -> None:
    """2026 Q1's points published for the branch, and a payroll file uploaded by alice and
    checked for its preview: a new month, a changed one (its changed fields listed) and a line in
    error."""
    from records.importers import DUES_UPDATE
    from records.models import DuesPayment, PointsPublication
    from records.services import imports
    from records.services.points import quarter_totals

    paid = DuesPayment.objects.select_related("person").get(organization=branch)
    person = paid.person
    # Made directly: the service publishes no quarter while its award awaits a decision.
    PointsPublication.objects.create(
        organization=branch,
        year=2026,
        quarter=1,
        totals=quarter_totals(branch, 2026, 1),
        published_by=alice,
    )
    number = person.employee_number
    data = "\r\n".join(
        [
            "工号,月份,缴费基数,实缴金额,缴纳日期",
            f"{number},2026-03,5000,50,2026-03-20",
            f"{number},2026-04,4000,40,2026-04-15",
            f"{number},2026-13,4000,40,2026-04-15",
        ]
    ).encode()
    batch = imports.upload_batch(
        kind=DUES_UPDATE, data=data, filename="payroll.csv", acting_user=alice
    )
    batch.refresh_from_db()
    assert batch.preview, "the payroll file was not checked for its preview"


def _more_audit_kinds(tree, alice, erin, scored) -> None:
    """The audit kinds the fixtures above do not make: rectification work, an organization
    created and moved, a role revoked, a framework cloned and an indicator edited, roll-up settings
    saved, imports, a lockout, a report and a schedule."""
    from assessment.services import frameworks
    from assessment.services.rollup_settings import save_rollup_settings
    from audit import hooks, receivers
    from organizations.services import (
        assign_role,
        create_organization,
        move_organization,
        revoke_role,
    )
    from rectification import services as rectification
    from rectification.models import Rectification
    from reports.models import Report, ReportSchedule
    from reports.services import deactivate_schedule, save_schedule
    from tests.factories import kind

    item = Rectification.objects.filter(organization=tree.a1a).first()
    rectification.update(item, acting_user=alice, version=item.version, plan="每月组织学习")
    new = create_organization(code="A1d", name="甲一第四支部", kind=kind("branch"), parent=tree.a1)
    move_organization(new, tree.b)
    revoke_role(assign_role(user=erin, organization=tree.b1, role="reviewer"))
    clone = frameworks.clone_framework(scored.current.framework, version="2027", acting_user=erin)
    indicator = clone.indicators.first()
    frameworks.update_indicator(indicator, {"name": "学习次数"}, acting_user=erin)
    save_rollup_settings(
        scored.current.framework.code,
        own_weight=0.4,
        children="members",
        missing="flag",
        acting_user=erin,
    )
    hooks.file_imported("people", "people.csv", b"x", {"create": 2, "update": 1, "unchanged": 0})
    hooks.workbook_imported(scored.current.pk, [], acting_user=erin)
    receivers.login_locked_out(None, username="mallory", ip_address="10.0.0.9")
    schedule = ReportSchedule.objects.get(organization=tree.a1a)
    save_schedule(schedule, [alice], acting_user=erin)
    deactivate_schedule(schedule, acting_user=erin)
    report = Report.objects.get(organization=tree.a1a)
    hooks.record(
        "report.generated",
        actor=alice,
        organization=tree.a1a,
        target=f"report:{report.pk}",
        summary="Report #1 (CSV) of 甲一第一支部 generated.",
        after={"sha256": "0" * 64, "format": "csv", "data_sha256": "1" * 64},
    )


def _names(tree) -> set[str]:
    """The fixtures' own names and codes: data, shown as entered."""
    names = {"alice", "bob", "carol", "dave", "erin", "frank", "mallory"}
    # Who recorded a meeting or uploaded a document: the factories' users (user1, user2, …).
    names.update(get_user_model().objects.values_list("username", flat=True))
    for org in (tree.group, tree.a, tree.a1, tree.a1a, tree.a1b, tree.b, tree.b1):
        names.add(org.code)
    for org in Organization.objects.all():  # English names are names, shown as entered
        names.update(LATIN_WORD.findall(org.name_en))
    names.update(Framework.objects.values_list("code", flat=True))
    # A comparison of two framework versions shows both names of a renamed indicator.
    for name_en in Indicator.objects.values_list("name_en", flat=True):
        names.update(LATIN_WORD.findall(name_en))
    names.update({"monthly", "minutes", "report"})
    # Business measures' codes (revenue, sasac_grade, …) are shown beside their names, as data.
    for code in BusinessMeasure.objects.values_list("code", flat=True):
        names.update(LATIN_WORD.findall(code))
    return names


def test_the_text_of_a_page_leaves_data_and_allowed_words_out():
    html = (
        "<html><head><style>.x{}</style></head><body><script>let a = 1;</script>"
        '<p title="Hidden">导出 PDF 与 Excel：C1.01 得分，见 /api/v1/ 或 alice@example.com</p>'
        "<p>submitted → approved, v2 value</p></body></html>"
    )
    assert latin_words(parse(html).text(), {"alice"}) == ["submitted", "approved", "v2", "value"]


def test_no_latin_word_on_any_chinese_page_of_any_role(
    client_for, tree, populated, django_user_model
):
    names = _names(tree)
    findings: list[str] = []
    scanned = 0
    for username in ROLES:
        user = django_user_model.objects.get(username=username)
        client = client_for(user)
        for route in _pages():
            for url in _urls(route, user):
                response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-Hans")
                if response.status_code != 200:
                    continue
                if not response.get("Content-Type", "").startswith("text/html"):
                    continue
                scanned += 1
                text = page(response).text()
                findings.extend(
                    f"{username} {url} [{word}]: …{_around(text, word)}…"
                    for word in sorted(set(latin_words(text, names)))
                )
    erin = django_user_model.objects.get(username="erin")
    client = client_for(erin)
    for query_page in QUERY_PAGES:
        url = query_page.format(group=tree.group.pk, branch=tree.a1a.pk)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-Hans")
        assert response.status_code == 200, url
        text = page(response).text()
        findings.extend(
            f"erin {url} [{word}]: …{_around(text, word)}…"
            for word in sorted(set(latin_words(text, names)))
        )
    assert scanned > 60, f"only {scanned} pages were scanned: the fixtures populate too little"
    assert not findings, "Latin words on Chinese pages:\n" + "\n".join(findings)
