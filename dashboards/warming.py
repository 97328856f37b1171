"""Dashboards warm after every roll-up, so that no reader pays for their aggregates.

A dashboard's costly reads are cached under data versions (`core.versions`): the subtree's grade
counts and indicator averages per period and organization, the totals of each level of the tree
from which every organization takes its peers' averages (`selectors.board`), and the subtree's
rectification summary (`selectors.rectification`). Without warming, a roll-up — a full
recompute's end or an approval's incremental update, both sending
`assessment.signals.scores_written` — bumps the period's scores version, and the next reader of
each dashboard computes them again: about a second for the group's dashboard at 10,000
organizations, paid by every reader who comes before the first one is done.

The dashboards app listens to that signal (assessment knows nothing of it). With the warm-up on
(`DASHBOARDS_WARM`), the roll-up stages a new version instead, and the task `dashboards.warm`
computes the period's level totals and top dashboards' aggregates under it into the shared cache
(Redis), then publishes it: until then readers keep the figures of the scores before the
roll-up, seconds older, and no reader computes what the task is computing. A staged version the
task never publishes (its worker lost) is taken by the readers after `versions.STAGED_FOR`.
Rectification items bump their own version when they change (`rectification.services`); the
dashboards hear it through `core.versions.bumped`, and `dashboards.warm_rectifications`
computes the top dashboards' summaries again. An entry serves every reader of its organization
and every language.

Which dashboards: every root, and every organization whose subtree holds at least
`WARM_MIN_SUBTREE` organizations (at most `MAX_WARMED`, highest first); every level's totals,
so every dashboard's peers. An aggregate over a subtree costs in proportion to the subtree —
one level of the tree costs about what the whole tree does — so these are the reads that take
long, and the ones the first readers open (the board sends each reader to the top of their
scope, and drilling down starts there). A smaller subtree's aggregates take a few milliseconds
when its dashboard is opened; warming every one would make each roll-up cost as many times the
whole tree as the tree has levels. The cap bounds a warm-up on a very wide tree.

Debounce: a lock in the cache (`cache.add`) per period (per kind of warm-up) lets one warm-up be
queued or running at a time; a change meanwhile asks it to run again when it ends (`again`),
after `REPEAT_AFTER` seconds, so a review session's approvals cost one warm-up now and then, and
the last change is always warmed (and shown, once its warm-up publishes it). A warm-up lost with
its worker holds the lock until `LOCK_TTL`, during which the dashboards fill on demand as they
do without warming.
"""

import logging
from collections import Counter
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from assessment.models import Period, Rollup
from assessment.services.scores import PUBLISH_RETRY
from core import versions
from organizations.models import Organization
from rectification.services import VERSION as RECTIFICATIONS_VERSION

from .selectors import board
from .selectors.rectification import cached_summary

logger = logging.getLogger(__name__)

WARM_MIN_SUBTREE = 200  # organizations; a smaller subtree's aggregates take milliseconds
MAX_WARMED = 1000
REPEAT_AFTER = 10  # seconds between two warm-ups of the same data while changes keep coming
# The lock outlives a warm-up (the tasks' hard limit is 300 s) and its wait in the queue.
LOCK_TTL = 600
RECTIFICATIONS = "rectifications"


def _scores(period_id: int) -> str:
    return f"scores:{period_id}"


def _lock_key(what: str) -> str:
    return f"dashboards:warm:{what}"


def _again_key(what: str) -> str:
    return f"dashboards:warm-again:{what}"


# -- when ------------------------------------------------------------------------------------


def on_scores_written(sender, *, period_id: int, **kwargs) -> None:
    """Receiver of `assessment.signals.scores_written`: what was cached from the period's scores
    is stale. With the warm-up, a new version is staged and warmed, and readers keep the
    current one until it is published; without, the version is bumped."""
    if settings.DASHBOARDS_WARM:
        transaction.on_commit(partial(_stage_and_schedule, period_id))
    else:
        versions.bump_on_commit(board.scores_version(period_id))


def _stage_and_schedule(period_id: int) -> None:
    versions.stage(board.scores_version(period_id))
    schedule_period(period_id)


def on_version_bumped(sender, *, name: str, **kwargs) -> None:
    """Receiver of `core.versions.bumped`: rectification items changed (after their commit)."""
    if name == RECTIFICATIONS_VERSION and settings.DASHBOARDS_WARM:
        _schedule(RECTIFICATIONS, _send_rectifications)


def schedule_period(period_id: int) -> None:
    """Warm the period's dashboards in a task now, unless a warm-up of them is queued or
    running: that one is asked to run again when it ends."""
    _schedule(_scores(period_id), partial(_send_period, period_id))


def _schedule(what: str, send: Callable[[int | None], None]) -> None:
    if cache.add(_lock_key(what), 1, LOCK_TTL):
        send(None)
    else:
        cache.set(_again_key(what), 1, LOCK_TTL)


def _send_period(period_id: int, countdown: int | None) -> None:
    from . import tasks

    if not _send(_scores(period_id), tasks.warm_dashboards, [period_id], countdown):
        versions.publish(board.scores_version(period_id))  # readers compute it, as without


def _send_rectifications(countdown: int | None) -> None:
    from . import tasks

    _send(RECTIFICATIONS, tasks.warm_rectifications, [], countdown)


def _send(what: str, task, args: list, countdown: int | None) -> bool:
    """Queue the warm-up; whether it was. With the queue down (or, run eagerly, the warm-up
    failing) the lock is released, so that the next change tries again, and readers compute
    what is missing: a failure here never fails the write that committed before it."""
    try:
        task.apply_async(args=args, countdown=countdown, retry=True, retry_policy=PUBLISH_RETRY)
    except Exception:
        logger.exception("Warming the dashboards (%s) failed", what)
        cache.delete(_lock_key(what))
        return False
    return True


def _run(
    what: str,
    work: Callable[[], int],
    send: Callable[[int | None], None],
    done: Callable[[], None] = lambda: None,
) -> int:
    """What a warm-up task does: the work, then `done` (even when the work failed), the lock
    released and, when changes came in meanwhile, the next warm-up sent; returns what the work
    returned."""
    # Cleared before anything is read: a change from now on is either seen by this warm-up or
    # asks for the next one.
    cache.delete(_again_key(what))
    try:
        warmed = work()
    finally:
        try:
            done()
        finally:
            cache.delete(_lock_key(what))
    if cache.get(_again_key(what)) and cache.add(_lock_key(what), 1, LOCK_TTL):
        send(REPEAT_AFTER)
    return warmed


def run_period(period_id: int) -> int:
    """The task `dashboards.warm`: the period's scores version staged (unless a roll-up staged
    it already), its dashboards warmed under it, and it published; how many dashboards."""
    name = board.scores_version(period_id)
    versions.stage(name)
    return _run(
        _scores(period_id),
        partial(warm_period, period_id),
        partial(_send_period, period_id),
        done=partial(versions.publish, name),
    )


def run_rectifications() -> int:
    """The task `dashboards.warm_rectifications`: how many summaries were warmed."""
    return _run(RECTIFICATIONS, warm_rectifications, _send_rectifications)


# -- what ------------------------------------------------------------------------------------


def subtree_sizes() -> Counter[int]:
    """How many organizations each organization's subtree holds (itself included), from the
    paths: one query."""
    sizes: Counter[int] = Counter()
    for path in Organization.objects.values_list("path", flat=True).iterator(chunk_size=5000):
        sizes.update(int(pk) for pk in path.strip("/").split("/"))
    return sizes


def top_organizations() -> Q:
    """The roots and the organizations of a subtree of at least `WARM_MIN_SUBTREE`."""
    large = [pk for pk, size in subtree_sizes().items() if size >= WARM_MIN_SUBTREE]
    return Q(pk__in=large) | Q(depth=0)


def warmed_organizations(period: Period | None = None) -> list[Organization]:
    """The organizations whose dashboards are warmed, highest first (with `period`: those with
    its scores)."""
    organizations = Organization.objects.filter(top_organizations(), is_active=True)
    if period is not None:
        rolled_up = Rollup.objects.filter(
            period=period, organization=OuterRef("pk"), dimension=board.TOTAL
        )
        organizations = organizations.filter(Exists(rolled_up))
    return list(organizations.order_by("depth", "path")[:MAX_WARMED])


def warm_period(period_id: int) -> int:
    """Cache the period's level totals (every dashboard's peers) and the aggregates of its top
    dashboards that the cache lacks for the current scores; returns how many dashboards."""
    period = Period.objects.filter(pk=period_id).first()
    if period is None:
        return 0
    organizations = warmed_organizations(period)
    for root in (o for o in organizations if o.depth == 0):
        board.warm_level_totals(period, root)
    for organization in organizations:
        board.aggregates(period, organization, ahead=True)
    return len(organizations)


def warm_rectifications() -> int:
    """Cache the top dashboards' rectification summaries that the cache lacks; returns how many."""
    organizations = warmed_organizations()
    for organization in organizations:
        cached_summary(organization)
    return len(organizations)
