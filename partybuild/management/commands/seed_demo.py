"""manage.py seed_demo: load the CETC demo group and the demo accounts (never in production)."""

import argparse
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from organizations.choices import PersonKind
from partybuild.demo import organizations as demo


class Command(BaseCommand):
    help = (
        "Load the demo group (CETC party leadership, committees, branches, people) and the demo "
        "accounts. Does nothing when the demo is loaded already; demo passwords are left as they "
        "are. Refused in production."
    )

    def add_arguments(self, parser) -> None:
        # Fewer people for quick tests; the tree itself is always built in full.
        parser.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)

    def handle(self, *args, scale: float, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                _(
                    "seed_demo refuses to run in production (DJANGO_ENV=production): it creates "
                    "accounts whose password is public."
                )
            )
        if not 0 < scale <= 1:
            raise CommandError(_("--scale must be more than 0 and at most 1."))
        started = time.perf_counter()
        self.stdout.write(_("Loading the demo: organizations, people and accounts…"))
        summary = demo.seed_demo(scale=scale)
        self.load_assessment_demo()
        elapsed = time.perf_counter() - started
        if summary.created:
            self.stdout.write(self.style.SUCCESS(_("Demo loaded in %(s).1f s.") % {"s": elapsed}))
        else:
            self.stdout.write(
                _("The demo is loaded already (group %(code)s): nothing changed.")
                % {"code": demo.DEMO_GROUP_CODE}
            )
        self._print_summary(summary)

    def load_assessment_demo(self) -> None:
        """Load the assessment demo: the framework, its periods and sample submissions.

        Called on every run once the demo organizations exist, also when they existed already,
        so that an older demo database gains the assessment data; it must therefore be
        idempotent itself (detect what is there and skip it).
        """
        from partybuild.demo.assessment import load_demo_assessment

        created = load_demo_assessment()
        if created["periods"]:
            self.stdout.write(
                _(
                    "Assessment: %(periods)d periods, %(submissions)d submissions, "
                    "%(values)d values."
                )
                % created
            )
        from partybuild.demo.records import load_demo_records

        if records := load_demo_records():
            self.stdout.write(
                _(
                    "Records of the open year: %(meetings)d meetings (%(attendance)d attendance "
                    "rows), %(dues)d dues payments, %(talks)d talks, %(study)d study records."
                )
                % records
            )
        from partybuild.demo.assessment import score_demo_periods
        from partybuild.demo.rectification import load_demo_rectifications
        from partybuild.demo.standards import load_demo_standards, prepare_demo_standards

        prepare_demo_standards()  # the values its stories need, before the scores

        if scored := score_demo_periods():
            self.stdout.write(_("Scores and roll-ups: %(n)d periods.") % {"n": scored})
        load_demo_rectifications()
        if results := load_demo_standards():
            self.stdout.write(
                _(
                    "Results: %(titles)d titles and %(stars)d star ratings confirmed, "
                    "%(appraisals)d appraisals of members approved (%(follow_ups)d follow-up "
                    "steps), %(reports)d secretaries' reports rated, %(terms)d terms."
                )
                % results
            )
        from partybuild.demo.business import load_demo_business

        if figures := load_demo_business():
            self.stdout.write(
                _(
                    "Business figures: %(n)d, for the group, its committees and their general "
                    "branches, 2019–2025 (generated independently of party building; the "
                    "assessment's business indicators are copied from them)."
                )
                % {"n": figures}
            )
        from partybuild.demo.reports import load_demo_reports

        if load_demo_reports():
            self.stdout.write(_("Demo report: requested for the auditor (see Reports)."))
        from audit.services import run_verification

        run_verification()  # the auditors' badge starts from a checked chain

    def _print_summary(self, summary: demo.DemoSummary) -> None:
        kinds = summary.organizations
        people = summary.people
        lines = [
            _(
                "Organizations: %(group)d group, %(committees)d committees, "
                "%(general_branches)d general branches, %(branches)d branches."
            )
            % {
                "group": kinds.get(demo.GROUP, 0),
                "committees": kinds.get(demo.COMMITTEE, 0),
                "general_branches": kinds.get(demo.GENERAL_BRANCH, 0),
                "branches": kinds.get(demo.BRANCH, 0),
            },
            _("Departments: %(departments)d; leading groups: %(leading_groups)d.")
            % {"departments": summary.departments, "leading_groups": summary.leading_groups},
            _(
                "People: %(total)d (%(members)d full members, %(probationary)d probationary "
                "members, %(staff)d staff)."
            )
            % {
                "total": summary.people_total,
                "members": people.get(PersonKind.MEMBER, 0),
                "probationary": people.get(PersonKind.PROBATIONARY, 0),
                "staff": people.get(PersonKind.STAFF, 0),
            },
            _("Demo accounts: %(accounts)s (see manage.py demo_logins).")
            % {"accounts": ", ".join(summary.accounts) or "-"},
        ]
        for line in lines:
            self.stdout.write(f"  {line}")
