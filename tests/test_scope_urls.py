"""Every URL that names a scoped object answers 404 for a user whose scope does not hold it.

The routes are not listed by hand: the test walks the project's URL configuration, so a page or
API endpoint added later is covered the day it is added. Each object kwarg of a route is filled
with an object in the subtree of bob's branch A1b. Which model a kwarg means is taken from the
view when it says (``model``, ``queryset``, a serializer's ``Meta.model``), else from the kwarg's
name (``organization_pk`` → Organization) or, for ``pk`` of a function view, from the path segment
before it (``frameworks/<pk>/`` → Framework); failing all that it is the branch itself. Routes
whose objects are not scoped by organization (frameworks, for one) are
skipped with the reason. The route is requested as alice, secretary of the sibling branch A1a:
every HTTP method the route accepts must answer 404. As a control, erin (administrator on the
root) must not get a 404 for the same URL when the view or the path segment named its model, so
a wrongly built URL cannot pass silently.
"""

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.regex_helper import normalize

from assessment.models import Rollup, SubjectScore
from audit.models import AuditEntry
from auditing.selectors import trail
from business.models import BusinessFigure, BusinessMeasure
from organizations.models import Organization
from organizations.scope import ScopedQuerySet
from reports.models import Report, ReportSchedule
from tests.builders import approved_period
from tests.factories import (
    DepartmentFactory,
    FrameworkFactory,
    LeadingGroupFactory,
    RectificationEvidenceFactory,
    RectificationFactory,
    ReportFactory,
    ReportScheduleFactory,
)
from tests.factories.records import (
    AttendanceFactory,
    DecisionDocumentFactory,
    DuesPaymentFactory,
    MeetingAttachmentFactory,
    PointsEntryFactory,
    StudyRecordFactory,
    TalkFactory,
)
from tests.factories.standards import (
    FollowUpFactory,
    SecretaryReportDocumentFactory,
    StarRatingFactory,
    TermResultFactory,
    TitleFactory,
)

pytestmark = pytest.mark.django_db

# Route prefixes that are deliberately not scoped by organization, with the reason.
EXCLUDED_PREFIXES: dict[str, str] = {
    "admin/": "Django admin: staff only, guarded by is_staff and model permissions, not by scope",
    "i18n/": "language switch and JavaScript catalogue: no objects",
    "api/schema/": "the OpenAPI document: no objects",
    "api/docs/": "the API browser: no objects",
}

# Kwargs that carry no object, with the value to use.
LITERAL_KWARGS: dict[str, str] = {"format": "json"}

# Kwargs that are an object's primary key; `<model>_pk` and `<model>_id` are recognised too.
PK_KWARGS = {"pk", "id", "object_id"}
KWARG_MODEL_ALIASES: dict[str, str] = {"org": "organization"}
# Path segments before a function view's pk that name a model other than by their plural.
PLURALS: dict[str, str] = {
    "people": "person",
    "leading-groups": "leading_group",
    "schedules": "report_schedule",
    "scores": "subject_score",
    "entries": "audit_entry",
    "stars": "star_rating",
    "appraisals": "member_appraisal",
    "follow-ups": "follow_up",
    "secretary-reports": "secretary_report",
    "documents": "secretary_report_document",
    "terms": "term_result",
}

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Route:
    """One URL pattern of the project, flattened: its format string, kwargs and view."""

    route: str
    template: str
    kwargs: list[str]
    callback: object
    converters: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return "/" + re.sub(r"%\((\w+)\)s", r"<\1>", self.template)


@dataclass
class Target:
    """What one kwarg of a route points at: a model, the attribute to put in the URL, and
    whether the view itself named the model (rather than the test assuming Organization)."""

    model: type[models.Model]
    attribute: str
    known: bool


def _walk(
    patterns, prefix: str = "", template: str = "", converters: dict | None = None
) -> Iterator[Route]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        # The same normalisation Django's reverse() uses: a regex becomes a "%(name)s" template.
        piece, _params = normalize(entry.pattern.regex.pattern)[0]
        merged = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route, template + piece, merged)
        elif isinstance(entry, URLPattern):
            full = template + piece
            kwargs = re.findall(r"%\((\w+)\)s", full)
            yield Route(route, full, kwargs, entry.callback, merged)


def _excluded(route: str) -> bool:
    return any(route.startswith(prefix) for prefix in EXCLUDED_PREFIXES)


ROUTES = [
    r
    for r in _walk(get_resolver().url_patterns)
    if set(r.kwargs) - set(LITERAL_KWARGS) and not _excluded(r.route)
]


def _view_model(callback) -> type[models.Model] | None:
    """The model a view works on, when the view class says so (Django CBV or DRF view)."""
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view is None:
        return None
    model = getattr(view, "model", None)
    queryset = getattr(view, "queryset", None)
    if model is None and queryset is not None:
        model = queryset.model
    serializer = getattr(view, "serializer_class", None)
    if model is None and serializer is not None and hasattr(serializer, "Meta"):
        model = getattr(serializer.Meta, "model", None)
    return model


def _model_named(stem: str) -> type[models.Model] | None:
    stem = stem.removeprefix("parent_lookup_").replace("-", "_")
    name = KWARG_MODEL_ALIASES.get(stem, stem).replace("_", "")
    matches = [m for m in apps.get_models() if m._meta.model_name == name]
    return matches[0] if len(matches) == 1 else None


def _model_of_segment(route: Route, kwarg: str) -> type[models.Model] | None:
    """For a function view: the model named by the path segment before the kwarg.

    ``frameworks/%(pk)s/`` → Framework, ``people/%(pk)s/`` → Person.
    """
    before = route.template.split(f"%({kwarg})s")[0].rstrip("/").rsplit("/", 1)[-1]
    for stem in (PLURALS.get(before, before), before.removesuffix("s"), before):
        if stem and (model := _model_named(stem)) is not None:
            return model
    return None


def _target(kwarg: str, route: Route) -> Target | None:
    """What a kwarg points at; None when the test cannot tell."""
    view_model = _view_model(route.callback)
    if kwarg in PK_KWARGS:
        if view_model is not None:
            return Target(view_model, "pk", True)
        inferred = _model_of_segment(route, kwarg)
        return Target(inferred or Organization, "pk", inferred is not None)
    stem = kwarg.removesuffix("_pk").removesuffix("_id")
    if stem != kwarg:
        model = _model_named(stem)
        return Target(model or Organization, "pk", model is not None)
    if view_model is not None and any(f.name == kwarg for f in view_model._meta.fields):
        return Target(view_model, kwarg, True)  # a lookup by another field, e.g. a code
    return None


# Models whose scope is applied where they are read, not by their default manager: the audit
# trail sits below the organizations, and its readers (the auditing app) restrict it.
READ_SIDE_ROWS = {AuditEntry: trail}


def _rows(model: type[models.Model]) -> models.QuerySet:
    """Every row of the model, as the portal's pages and API read it (before the restriction)."""
    read_side = READ_SIDE_ROWS.get(model)
    return read_side() if read_side else model._default_manager.all()


def _is_scoped(model: type[models.Model]) -> bool:
    return isinstance(_rows(model), ScopedQuerySet)


@pytest.fixture
def sibling_subtree(tree, bob, erin):
    """Bob's branch A1b with one of each thing that hangs from an organization."""
    DepartmentFactory(organization=tree.a1b)
    LeadingGroupFactory(organization=tree.a1b)
    _open_period_with_a_scored_submission(bob, erin, tree.a1b)
    _a_rectification_with_evidence(bob, tree.a1b)
    _a_finished_report_and_a_schedule(bob, tree.a1b)
    _records_of_party_life(tree.a1b)
    _results(tree.a1b)
    BusinessFigure.objects.create(
        organization=tree.a1b, measure=BusinessMeasure.objects.first(), year=2025, value=1
    )
    return tree.a1b


def _results(branch: Organization) -> None:
    """One of each result of the branch: a title, stars, an appraisal with a member's grade and
    its follow-up, a secretary's report with its document, a term."""
    from assessment.models import Submission

    submission = Submission.objects.filter(organization=branch).order_by("pk").first()
    period = submission.period
    TitleFactory(submission=submission)
    StarRatingFactory(period=period, organization=branch)
    FollowUpFactory(grade__appraisal__period=period, grade__appraisal__organization=branch)
    SecretaryReportDocumentFactory(report__period=period, report__organization=branch)
    TermResultFactory(organization=branch)


def _records_of_party_life(branch: Organization) -> None:
    """One of each record of the branch: a negative event with its decision document, a meeting
    with its roll and a photo, a talk, and a member's dues, study and proposed award."""
    DecisionDocumentFactory(event__organization=branch)
    meeting = AttendanceFactory(meeting__organization=branch).meeting
    MeetingAttachmentFactory(meeting=meeting)
    TalkFactory(organization=branch)
    for ledger_row in (DuesPaymentFactory, StudyRecordFactory, PointsEntryFactory):
        ledger_row(person__organization=branch)


def _a_finished_report_and_a_schedule(bob, branch: Organization) -> None:
    """A finished report on the branch, with its file (so downloads are tried), and a schedule."""
    ReportFactory(organization=branch, requested_by=bob)
    ReportScheduleFactory(name="monthly", organization=branch, trigger="monthly")


def _open_period_with_a_scored_submission(bob, reviewer, branch: Organization) -> None:
    """An open period whose submission for the branch has values, evidence and history, and is
    approved and scored (so subject scores and roll-up rows exist too)."""
    values = {"C1.01": "5", "C2.01": "yes"}
    approved_period(FrameworkFactory(), 2026, {branch: (bob, values)}, reviewer=reviewer)


def _a_rectification_with_evidence(bob, branch: Organization) -> None:
    """A rectification item of the branch (opened from its weak score) with an evidence file."""
    from assessment.models import Period
    from rectification.models import Rectification

    item = Rectification.objects.filter(organization=branch).first()
    if item is None:
        period = Period.objects.order_by("-start").first()
        item = RectificationFactory(organization=branch, period=period, indicator_code="C1.01")
    RectificationEvidenceFactory(rectification=item, uploaded_by=bob)


def _fill(route: Route, targets: dict[str, Target], bob, sibling: Organization) -> tuple[str, bool]:
    """The route's URL with every object kwarg pointing into the sibling subtree.

    Returns the URL and whether every object is a real one of the model the view uses (so the
    control request by an administrator must find it).
    """
    values = {k: v for k, v in LITERAL_KWARGS.items() if k in route.kwargs}
    real = True
    for kwarg, target in targets.items():
        queryset = _rows(target.model)
        scoped = _is_scoped(target.model)
        if scoped:  # any object of the sibling's subtree, whoever may read it there
            lookup = f"{queryset.scope_path_field}__startswith"
            obj = queryset.filter(**{lookup: sibling.path}).order_by("pk").first()
        else:
            obj = queryset.first()
        known = target.known
        if obj is None:
            if scoped:
                warnings.warn(
                    f"{route}: no {target.model._meta.label} in the sibling subtree for "
                    f"<{kwarg}>; using the sibling organization — add one to sibling_subtree",
                    stacklevel=2,
                )
            obj, known = sibling, False
        real = real and known
        value = getattr(obj, target.attribute)
        converter = route.converters.get(kwarg)
        values[kwarg] = converter.to_url(value) if converter else str(value)
    return "/" + route.template % values, real


def test_the_walk_finds_the_organization_pages():
    routes = {r.route for r in ROUTES}
    assert "organizations/<int:pk>/" in routes
    assert "organizations/<int:pk>/children/" in routes


def test_a_function_view_gets_its_model_from_the_path_segment():
    """Function views name no model: the segment before the pk must, or the walk would try an
    organization's pk and the 404 would prove nothing."""
    expected = {
        "organizations/<int:pk>/": Organization,
        "reports/<int:pk>/download/": Report,
        "reports/schedules/<int:pk>/deactivate/": ReportSchedule,
        "dashboards/explain/scores/<int:pk>/": SubjectScore,
        "dashboards/explain/rollups/<int:pk>/": Rollup,
        "dashboards/what-if/scores/<int:pk>/": SubjectScore,
        "audit/entries/<int:pk>/": AuditEntry,
    }
    routes = {r.route: r for r in ROUTES}
    found = {route: _target("pk", routes[route]) for route in expected}
    assert {route: (t.model, t.known) for route, t in found.items()} == {
        route: (model, True) for route, model in expected.items()
    }


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_an_object_of_a_sibling_branch_is_404(route, client_for, alice, bob, erin, sibling_subtree):
    targets = {k: _target(k, route) for k in route.kwargs if k not in LITERAL_KWARGS}
    view_model = _view_model(route.callback)
    unknown = [k for k, t in targets.items() if t is None]
    if unknown and view_model is not None and not _is_scoped(view_model):
        pytest.skip(f"{route}: works on {view_model._meta.label}, not scoped by organization")
    assert not unknown, (
        f"{route}: cannot tell what {unknown} point at; name them <model>_pk, or add them to "
        "LITERAL_KWARGS or EXCLUDED_PREFIXES with a reason"
    )
    if not any(_is_scoped(t.model) for t in targets.values()):
        labels = sorted({t.model._meta.label for t in targets.values()})
        pytest.skip(f"{route}: {labels} not scoped by organization")
    url, real = _fill(route, targets, bob, sibling_subtree)

    client = client_for(alice)
    answers = {method: getattr(client, method)(url).status_code for method in METHODS}

    allowed = {m: status for m, status in answers.items() if status != 405}
    assert allowed, f"{url}: every method answered 405"
    assert set(allowed.values()) == {404}, f"{url} as alice (sibling branch): {allowed}"

    if real:
        control = client_for(erin)
        for method in METHODS:  # stop at the first method the route accepts: no DELETE needed
            status = getattr(control, method)(url).status_code
            if status != 405:
                assert status != 404, f"{url} as erin ({method}): 404 — the URL is built wrong"
                break


def test_a_reviewer_sees_the_sibling_branch_but_not_another_committee(client_for, tree, carol):
    client = client_for(carol)
    assert client.get(f"/organizations/{tree.a1b.pk}/").status_code == 200
    assert client.get(f"/organizations/{tree.b1.pk}/").status_code == 404
