"""deploy/partybuild.env names every variable of docs/operations.md's environment table."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _table_variables() -> set[str]:
    doc = (ROOT / "docs" / "operations.md").read_text()
    table = doc.split("## Environment", 1)[1].split("\n## ", 1)[0]
    names = set()
    for row in table.splitlines():
        if row.startswith("| `"):
            first_cell = row.split("|")[1]
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_cell))
    return names


def test_the_environment_file_names_every_documented_variable():
    variables = _table_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "PROTECTED_DOWNLOAD_PREFIX"} <= variables
    template = (ROOT / "deploy" / "partybuild.env").read_text()
    named = set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", template, flags=re.MULTILINE))
    assert variables - named == set()


def test_the_environment_file_is_what_systemd_reads():
    # systemd's EnvironmentFile: KEY=value lines, comments on lines of their own.
    for line in (ROOT / "deploy" / "partybuild.env").read_text().splitlines():
        if line and not line.startswith("#"):
            assert re.fullmatch(r"[A-Z][A-Z0-9_]*=\S*", line), line
