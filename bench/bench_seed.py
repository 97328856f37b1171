"""How long building a synthetic group takes: `seed_synthetic` for 1,000 and 10,000 organizations.

Runs against DATABASE_URL when set (use a scratch database: it is migrated and the synthetic tree
is replaced), otherwise against a temporary SQLite file.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    env = os.environ.copy()
    if not env.get("DATABASE_URL"):
        env["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    run(["migrate", "-v0"], env)
    print(f"seed_synthetic on {database} (wall clock, including Django start-up ~1 s)")
    print(f"{'organizations':>14} {'seconds':>8}  (five people per branch)")
    for orgs in (1_000, 10_000):
        seconds = run(["seed_synthetic", "--orgs", str(orgs), "--seed", "1", "--replace"], env)
        print(f"{orgs:>14,} {seconds:>8.1f}")


if __name__ == "__main__":
    main()
