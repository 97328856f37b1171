"""The full roll-up alone, as arrays and as the pure roll-up (issue 19); a plain script, not a test.

    python bench/bench_rollup_arrays.py --synthetic 10000 100000 [--pure]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_bench \\
        python bench/bench_rollup_arrays.py --stored [--runs 3]

``--synthetic N``: a made-up tree of N organizations (1 root, 10 committees, N/100 general
branches, the rest branches; every one with an approved score in 29 dimensions), no database
writes. It times, in CPU seconds of this process, `rollup_arrays.roll_up_arrays` and the COPY text
the full roll-up writes of its rows (`services.rollup._copy_chunks`), and with ``--pure`` the pure
`rollup.roll_up` with the text the earlier writer made of its rows (`_db_rows`, then
`core.bulk`'s COPY formatting); the peak resident memory of each (one process per measure).

``--stored``: `services.rollup.write_full` on the period `bench_rollup.py` leaves in the
database (run that first), in a transaction like the recompute's, after a ``VACUUM`` of the
roll-up table (the delete of the run before leaves 300,000 dead rows, and a server without
autovacuum keeps them): wall and CPU seconds, then the floor: the same rows' COPY text made
beforehand and copied in alone, with their explanations and with ``{}`` instead.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")


def synthetic_units(count: int) -> list:
    from assessment.scoring.rollup import BONUS, PARTY, TOTAL, Unit

    rng = random.Random(count)
    codes = [f"C{i:02d}" for i in range(29)]
    kinds = ("group", "committee", "general_branch", "branch")
    generals = max(1, count // 100)
    depth = {1: 0}
    units = []
    for pk in range(1, count + 1):
        if pk == 1:
            parent = None
        elif pk <= 11:
            parent = 1
        elif pk <= 11 + generals:
            parent = rng.randint(2, min(11, count))
        else:
            parent = rng.randint(12, 11 + generals)
        depth[pk] = 0 if parent is None else depth[parent] + 1
        own = {TOTAL: round(rng.uniform(40, 100), 6), BONUS: 0.0}
        own.update((code, round(rng.uniform(0, 3.5), 6)) for code in codes)
        own[PARTY] = round(rng.uniform(40, 100), 6)
        units.append(
            Unit(pk, parent, 1, kinds[depth[pk]], depth[pk], people=3, expected=1, own=own)
        )
    return units


def measure_synthetic(count: int, way: str) -> None:
    """One measure in this process (its peak memory is then this measure's alone)."""
    import django

    django.setup()
    from django.utils import timezone

    from assessment.models import Period
    from assessment.scoring import rollup, rollup_arrays
    from assessment.services import rollup as service
    from core.bulk import _CopyStream

    units = synthetic_units(count)
    settings, period = rollup.Settings(), Period(pk=1)
    bands = rollup.Bands(
        grades=(("A", 90), ("B", 80), ("C", 60), ("D", 0)),
        stars=((5, 95), (4, 85), (3, 75), (2, 60), (1, 0)),
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.process_time()
    if way == "arrays":
        table = rollup_arrays.roll_up_arrays(units, settings, bands)
        computed = time.process_time()
        size = sum(map(len, service._copy_chunks(period, table, timezone.now())))
        rows = len(table)
    else:
        made = list(rollup.roll_up(units, settings, bands))
        computed = time.process_time()
        stream = _CopyStream(service._db_rows(period, made, timezone.now()))
        size = 0
        while text := stream.read():
            size += len(text)
        rows = len(made)
    done = time.process_time()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  {way:>6}: {rows:,} rows, roll-up {computed - started:.2f} s + COPY text "
        f"{done - computed:.2f} s = {done - started:.2f} s CPU ({size / 1e6:.0f} MB of text); "
        f"peak memory {peak:.0f} MB ({peak - before:.0f} MB above the units)",
        flush=True,
    )


def stored(runs: int) -> None:
    import re

    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from assessment.models import Period, Rollup
    from assessment.services import rollup
    from core.bulk import copy_text

    period = Period.objects.filter(framework__code="BENCHROLL").order_by("-pk").first()
    if period is None:
        sys.exit("no roll-up benchmark period: run bench/bench_rollup.py first")

    def vacuum() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {Rollup._meta.db_table}")

    class Undo(Exception):
        pass

    for _run in range(runs):
        vacuum()
        load = os.getloadavg()[0]
        with transaction.atomic():
            rollup.lock_period(period.pk)
            wall, cpu = time.perf_counter(), time.process_time()
            written = rollup.write_full(period)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"  write_full: {wall:.2f} s ({cpu:.2f} s CPU of this process), {written.rows:,} "
            f"rows; load {load:.1f}",
            flush=True,
        )
    # The floor: the same text, made beforehand, copied in alone (then rolled back).
    spec = rollup.engine_framework(period.framework)
    table = rollup.rollup_arrays.roll_up_arrays(
        rollup._units(
            period, spec, rollup._org_rows(rollup.Organization.objects.order_by()), only=None
        ),
        rollup.settings_for(period.framework),
        rollup.bands_of(spec),
        previous=rollup._previous_columns(period),
    )
    chunks = list(rollup._copy_chunks(period, table, timezone.now()))
    bare = [re.sub(r"\t\{[^\n]*\n", "\t{}\n", chunk) for chunk in chunks]
    for name, text in (("with explanations", chunks), ("explanations {}", bare)):
        vacuum()
        load = os.getloadavg()[0]
        try:
            with transaction.atomic():
                Rollup.objects.filter(period=period).delete()
                started = time.perf_counter()
                copy_text(Rollup, rollup._copy_columns(), text)
                print(
                    f"  floor, COPY of the rows {name} ({sum(map(len, text)) / 1e6:.0f} MB): "
                    f"{time.perf_counter() - started:.2f} s; load {load:.1f}",
                    flush=True,
                )
                raise Undo
        except Undo:
            pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", type=int, nargs="*", default=[])
    parser.add_argument("--pure", action="store_true", help="also the pure roll-up")
    parser.add_argument("--stored", action="store_true", help="write_full on the bench period")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # a measure in a child
    args = parser.parse_args()
    if args.one:
        measure_synthetic(int(args.one[0]), args.one[1])
        return 0
    print(f"load average {os.getloadavg()[0]:.2f}; command: {' '.join(sys.argv)}", flush=True)
    for count in args.synthetic:
        print(f"{count:,} organizations (synthetic)", flush=True)
        for way in ("arrays", "pure") if args.pure else ("arrays",):
            subprocess.run(
                [sys.executable, __file__, "--one", str(count), way], check=True, cwd=ROOT
            )
    if args.stored:
        if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            print("--stored needs PostgreSQL (DATABASE_URL): skipped", file=sys.stderr)
        else:
            stored(args.runs)
    print(f"load average at the end {os.getloadavg()[0]:.2f} (the machine may be shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
