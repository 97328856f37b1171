"""Saving how a framework's scores roll up the tree, and recomputing its open periods with it.

The settings change every roll-up of every open period, so the save is audited (before and after)
in the same transaction, and each open period gets a full recompute whose task is sent only once
the new settings are committed: a worker never scores with the old ones.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from audit import hooks as audit_trail

from ..choices import PeriodStatus
from ..models import Period, RollupSettings, ScoreRun
from . import scores

SETTINGS_FIELDS = ("own_weight", "children", "missing")


@dataclass(frozen=True)
class SettingsSaved:
    """What a save did: the stored settings and the recomputes it started (sent on commit)."""

    settings: RollupSettings
    runs: list[ScoreRun]


@transaction.atomic
def save_rollup_settings(
    framework_code: str,
    *,
    own_weight: float,
    children: str,
    missing: str,
    acting_user,
) -> SettingsSaved:
    """Store the roll-up settings of `framework_code` and recompute its open periods.

    The values are the cleaned fields of the settings form. A period whose recompute is already
    under way gets no second one: the nightly run recomputes it with the new settings.
    """
    settings, _created = RollupSettings.objects.select_for_update().get_or_create(
        framework_code=framework_code
    )
    # A code without a saved row rolls up with the defaults: those are what the save replaces.
    before: dict[str, Any] = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    settings.own_weight = own_weight
    settings.children = children
    settings.missing = missing
    settings.updated_by = acting_user
    settings.save()
    runs = []
    for period in Period.objects.filter(
        framework__code=framework_code, status=PeriodStatus.OPEN
    ).select_related("framework"):
        try:
            runs.append(
                scores.start_full_recompute(
                    period, trigger=ScoreRun.Trigger.SETTINGS, requested_by=acting_user
                )
            )
        except scores.AlreadyRunning:
            continue
    audit_trail.rollup_settings_saved(settings, before, acting_user=acting_user)
    return SettingsSaved(settings=settings, runs=runs)
