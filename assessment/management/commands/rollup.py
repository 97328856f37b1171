"""manage.py rollup: recompute a period's scores and roll-ups (or every open one's), now."""

import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from assessment.choices import PeriodStatus
from assessment.models import Period, ScoreRun
from assessment.services import scores


class Command(BaseCommand):
    help = (
        "Recompute the stored scores and roll-ups of one period (--period ID), of every open "
        "period and every period marked for recompute (--due), in this process; or hand them "
        "to the workers (--queue). Refused while a recompute of the period is under way."
    )

    def add_arguments(self, parser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--period", type=int, action="append", help="period id (repeatable)")
        which.add_argument(
            "--due",
            action="store_true",
            help="every open period and every period marked for recompute (as the nightly run)",
        )
        parser.add_argument(
            "--queue", action="store_true", help="send to the Celery workers instead of running"
        )

    def handle(self, *args, period: list[int] | None, due: bool, queue: bool, **options) -> None:
        if due:
            chosen = list(
                Period.objects.filter(
                    Q(status=PeriodStatus.OPEN)
                    | Q(score_runs__status=ScoreRun.Status.PENDING, score_runs__task_id="")
                )
                .distinct()
                .select_related("framework")
            )
        else:
            found = Period.objects.select_related("framework").in_bulk(period)
            unknown = sorted(set(period) - set(found))
            if unknown:
                raise CommandError(
                    _("No period with id %(ids)s.") % {"ids": ", ".join(map(str, unknown))}
                )
            chosen = [found[pk] for pk in period]
        refused = 0
        for each in chosen:
            try:
                self._recompute(each, queue=queue)
            except scores.AlreadyRunning as busy:
                refused += 1
                self.stderr.write(str(busy))
        if refused and not due:
            raise CommandError(_("%(count)d period(s) not recomputed.") % {"count": refused})

    def _recompute(self, period: Period, *, queue: bool) -> None:
        trigger = ScoreRun.Trigger.COMMAND
        if queue:
            run = scores.start_full_recompute(period, trigger=trigger)
            self.stdout.write(
                _("%(period)s: run %(run)d sent to the workers.")
                % {"period": period.display_name, "run": run.pk}
            )
            return
        run = scores.start_full_recompute(period, trigger=trigger, enqueue=False)
        try:
            run = scores.run_full_recompute(run.pk, token=run.task_id or str(uuid.uuid4()))
        except Exception as error:
            scores.fail_run(run.pk, error)
            raise
        stats = run.stats
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(period)s: %(subjects)d subjects (%(indicators)d indicator scores), "
                    "%(rows)d roll-up rows over %(orgs)d organizations in %(s).1f s "
                    "(scoring %(scoring).1f s, roll-up %(rollup).1f s)."
                )
                % {
                    "period": period.display_name,
                    "subjects": stats["subjects"],
                    "indicators": stats["indicators"],
                    "rows": stats["rollup_rows"],
                    "orgs": stats["organizations"],
                    "s": stats["seconds"]["scoring"] + stats["seconds"]["rollup"],
                    "scoring": stats["seconds"]["scoring"],
                    "rollup": stats["seconds"]["rollup"],
                }
            )
        )
