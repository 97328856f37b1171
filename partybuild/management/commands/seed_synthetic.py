"""manage.py seed_synthetic: a seeded synthetic organization tree with people, for benchmarks."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from partybuild.demo import organizations as demo


class Command(BaseCommand):
    help = (
        "Insert a seeded five-level tree of exactly --orgs organizations (codes SYN…) with "
        "--people-per-branch people in every branch. The same seed gives the same tree."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--orgs", type=int, default=10_000, help="organizations in all")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--people-per-branch", type=int, default=5, help="people in each branch (default 5)"
        )
        parser.add_argument(
            "--replace", action="store_true", help="delete an existing synthetic tree first"
        )

    def handle(
        self, *args, orgs: int, seed: int, people_per_branch: int, replace: bool, **options
    ) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                _("seed_synthetic refuses to run in production (DJANGO_ENV=production).")
            )
        if orgs < demo.MIN_SYNTHETIC_ORGS:
            raise CommandError(
                _("--orgs must be at least %(min)d (one organization per level).")
                % {"min": demo.MIN_SYNTHETIC_ORGS}
            )
        if people_per_branch < 0:
            raise CommandError(_("--people-per-branch cannot be negative."))
        started = time.perf_counter()
        if demo.synthetic_root() is not None:
            if not replace:
                raise CommandError(
                    _(
                        "A synthetic tree (%(code)s) exists already; add --replace to delete it "
                        "and build a new one."
                    )
                    % {"code": demo.SYNTHETIC_ROOT_CODE}
                )
            deleted = demo.delete_synthetic()
            self.stdout.write(
                _("Deleted the previous synthetic tree (%(count)d organizations) in %(s).1f s.")
                % {"count": deleted, "s": time.perf_counter() - started}
            )
        started = time.perf_counter()
        summary = demo.build_synthetic(orgs=orgs, seed=seed, people_per_branch=people_per_branch)
        elapsed = time.perf_counter() - started  # with the commit and its deferred FK checks
        levels = demo.synthetic_level_sizes(orgs)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Synthetic tree: %(orgs)d organizations (per level: %(levels)s), "
                    "%(people)d people, seed %(seed)d, in %(s).1f s."
                )
                % {
                    "orgs": summary.organizations,
                    "levels": " / ".join(map(str, levels)),
                    "people": summary.people,
                    "seed": seed,
                    "s": elapsed,
                }
            )
        )
        for step, seconds in summary.seconds.items():
            self.stdout.write(f"  {step}: {seconds:.2f} s")
        # Equal digests mean equal trees and people, whatever the database or the ids.
        digest = demo.tree_digest(demo.SYNTHETIC_ROOT_CODE)
        self.stdout.write(_("Content digest: %(digest)s") % {"digest": digest[:16]})
