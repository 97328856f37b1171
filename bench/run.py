"""`make bench`: every benchmark of the project, one after the other, printing their tables.

Benchmarks measure; they never fail a build. Record what they print, the machine and the command
in docs/benchmarks.md. With DATABASE_URL set (PostgreSQL) the database benchmarks use it;
otherwise they use a temporary SQLite file.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = [
    ["bench/bench_scoring.py"],
    ["bench/bench_seed.py"],
    ["bench/effectiveness.py"],
]
EXTRA = [
    ["bench/bench_rollup.py"],
    ["bench/bench_dashboard.py"],
    ["bench/bench_reports.py"],
    ["bench/bench_xlsx.py"],
    ["bench/bench_records.py"],
]


def main() -> int:
    failed = 0
    for script in BENCHES + [e for e in EXTRA if (ROOT / e[0]).exists()]:
        print(f"\n=== {' '.join(script)} ===", flush=True)
        failed += subprocess.call([sys.executable, *script], cwd=ROOT, env=os.environ.copy()) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
