"""Benchmark of the effectiveness analysis (business.statistics); a plain script, not a test.

    python bench/effectiveness.py [--sizes 40 500 2000 10000] [--runs N] [--old REVISION]

Times ``correlate`` (its cache cleared before every call, 1,000 resamples) on n pairs of a
continuous figure and of a grade 1–4, with the numpy bootstrap of the working tree and with the
pure-Python bootstrap it replaced, read from git at ``--old`` (the last commit that had it) and
loaded as a module of its own. Prints one table: n, the kind of figure, the time of each (the
median of ``--runs`` calls; the old one once from 2,000 pairs on, it takes seconds), the
speed-up, and the headline interval of each (they differ a little: other random draws).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402  (the repository root is put on the path first)

from business import statistics as new  # noqa: E402

# The last commit whose dashboards/effectiveness.py had the pure-Python bootstrap.
PURE_REVISION = "8dfaed60a6ea4a82fbb84070854dd105935ae7d6"


def load_old(revision: str) -> ModuleType:
    """The statistics module as it was at ``revision`` (then dashboards/effectiveness.py), as a
    module named apart."""
    source = subprocess.run(
        ["git", "show", f"{revision}:dashboards/effectiveness.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    name = "effectiveness_pure"
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader=None))
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    exec(compile(source, f"{revision[:8]}:dashboards/effectiveness.py", "exec"), module.__dict__)
    return module


def pairs(n: int, kind: str, seed: int) -> list[tuple[float, float]]:
    """n units with a moderate relation; a grade 1–4 (about a quarter each) for ``grade``."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        x = rng.gauss(0, 1)
        y = 0.5 * x + rng.gauss(0, 1)
        if kind == "grade":
            z = y / 1.118
            y = 1.0 if z < -0.67 else 2.0 if z < 0 else 3.0 if z < 0.67 else 4.0
        out.append((60 + 10 * x, y))
    return out


def timed(module: ModuleType, data: list, ordinal: bool, runs: int) -> tuple[float, object]:
    """The median seconds of ``runs`` calls of ``correlate``, each with the cache cleared."""
    seconds = []
    for _ in range(runs):
        module._correlate.cache_clear()
        start = time.perf_counter()
        result = module.correlate(data, ordinal=ordinal)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def interval(result) -> str:
    bounds = result.headline_interval
    return "—" if bounds is None else f"[{bounds.low:.4f}, {bounds.high:.4f}]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[40, 500, 2000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--old", default=PURE_REVISION, help="git revision of the pure version")
    args = parser.parse_args()
    old = load_old(args.old)
    print(
        f"{platform.python_implementation()} {platform.python_version()}, numpy {np.__version__},"
        f" {os.cpu_count()} CPUs, load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )
    print(f"correlate, {new.RESAMPLES} resamples, cache cleared; old = {args.old[:8]} (pure)\n")
    header = f"{'n':>6}  {'figure':<10} {'old s':>8} {'new ms':>8} {'×':>6}  {'old interval':<18}"
    print(header + " new interval")
    for n in args.sizes:
        for kind in ("continuous", "grade"):
            data = pairs(n, kind, seed=n)
            ordinal = kind == "grade"
            old_runs = 1 if n >= 2000 else args.runs
            old_s, old_result = timed(old, data, ordinal, old_runs)
            new_s, new_result = timed(new, data, ordinal, args.runs)
            print(
                f"{n:>6}  {kind:<10} {old_s:>8.3f} {new_s * 1000:>8.1f} {old_s / new_s:>6.1f}  "
                f"{interval(old_result):<18} {interval(new_result)}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
