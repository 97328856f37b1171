"""The scoring core (`assessment.scoring`) is pure: importing any of its modules imports no Django.

Each module is imported in a fresh interpreter with no Django settings, so nothing this test
process has loaded already can hide an import; the list of modules is read from the package on
disk, so a module added later is covered without touching this test.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import assessment.scoring

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(
        assessment.scoring.__path__, prefix=f"{assessment.scoring.__name__}."
    )
)

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(m for m in sys.modules if m == "django" or m.startswith("django."))))
"""


def test_the_core_has_the_modules_this_test_expects() -> None:
    assert {"assessment.scoring.engine", "assessment.scoring.rollup"} <= set(MODULES)


@pytest.mark.parametrize("module", ["assessment.scoring", *MODULES])
def test_importing_a_module_of_the_core_imports_no_django(module: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, module],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [], f"{module} imports Django"
