"""docs/framework.md is generated from the shipped framework file and kept in step with it."""

from pathlib import Path

from assessment.framework_doc import render_markdown
from assessment.scoring.spec import load_file, parse_framework

ROOT = Path(__file__).resolve().parents[2]


def test_the_framework_reference_is_regenerated_from_the_data_file():
    framework = parse_framework(load_file(ROOT / "assessment/data/framework.yaml"))
    generated = render_markdown(framework, source="assessment/data/framework.yaml")
    committed = (ROOT / "docs/framework.md").read_text(encoding="utf-8")
    assert generated.strip() == committed.strip(), "run `make framework-doc` and commit the result"


def test_the_reference_lists_every_indicator():
    framework = parse_framework(load_file(ROOT / "assessment/data/framework.yaml"))
    document = (ROOT / "docs/framework.md").read_text(encoding="utf-8")
    missing = [i.code for i in framework.indicators if f"`{i.code}`" not in document]
    assert missing == []
