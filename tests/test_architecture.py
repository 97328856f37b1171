"""The import contracts between apps hold (docs/architecture.md, `[tool.importlinter]` in
pyproject.toml): apps depend one way, and the scoring core imports no Django.

Run here so that CI, which runs `make test`, checks them; `make lint` runs them too.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def lint_imports(cwd: Path, *paths: Path) -> subprocess.CompletedProcess:
    """`lint-imports` with the pyproject.toml of `cwd`, finding packages on `paths` first."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, [*paths, ROOT]))}
    return subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_import_contract_is_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_new_cycle_between_apps_breaks_the_contracts(tmp_path):
    """GIVEN a copy of the audit trail that imports a domain app (the cycle the layering removed),
    WHEN the contracts are checked, THEN they fail and name the import."""
    shutil.copytree(
        ROOT / "audit", tmp_path / "audit", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "audit" / "cycle.py").write_text("from organizations.models import Organization\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)

    result = lint_imports(tmp_path, tmp_path)

    assert result.returncode != 0
    assert "audit.cycle -> organizations.models" in result.stdout


def test_a_django_import_in_the_scoring_core_breaks_the_contracts(tmp_path):
    """GIVEN a copy of the scoring core with one module importing Django, WHEN the contracts are
    checked, THEN they fail on it."""
    shutil.copytree(
        ROOT / "assessment", tmp_path / "assessment", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "assessment" / "scoring" / "impure.py").write_text("from django.db import models\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)

    result = lint_imports(tmp_path, tmp_path)

    assert result.returncode != 0
    assert "assessment.scoring.impure -> django (l.1)" in result.stdout


def test_a_django_import_in_the_standards_rules_breaks_the_contracts(tmp_path):
    """GIVEN a copy of the standards app whose pure star rules import the ORM, WHEN the contracts
    are checked, THEN they fail on it."""
    shutil.copytree(
        ROOT / "standards", tmp_path / "standards", ignore=shutil.ignore_patterns("__pycache__")
    )
    rules = tmp_path / "standards" / "stars.py"
    rules.write_text("from django.db import models\n" + rules.read_text())
    shutil.copy(ROOT / "pyproject.toml", tmp_path)

    result = lint_imports(tmp_path, tmp_path)

    assert result.returncode != 0
    assert "standards.stars -> django (l.1)" in result.stdout


def test_a_django_import_in_the_effectiveness_statistics_breaks_the_contracts(tmp_path):
    """GIVEN a copy of the business app whose statistics import the ORM, WHEN the contracts are
    checked, THEN they fail on it."""
    shutil.copytree(
        ROOT / "business", tmp_path / "business", ignore=shutil.ignore_patterns("__pycache__")
    )
    statistics = tmp_path / "business" / "statistics.py"
    statistics.write_text("from django.db import models\n" + statistics.read_text())
    shutil.copy(ROOT / "pyproject.toml", tmp_path)

    result = lint_imports(tmp_path, tmp_path)

    assert result.returncode != 0
    assert "business.statistics -> django (l.1)" in result.stdout
