"""`manage.py import_orgs` and `import_people`: operator tools with a dry run and exit codes."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from organizations.models import Organization, Person

pytestmark = pytest.mark.django_db

ORGS = "code,name,name_en,kind,parent_code\nC,丙公司党委,C Co.,committee,G\nC1,丙一支部,,branch,C\n"


def run(command: str, path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, str(path), *args, "--language", "en", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_prints_the_preview_and_saves_nothing(tree, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text(ORGS)

    out, _err = run("import_orgs", path, "--dry-run")

    assert "2 to create, 0 to update, 0 unchanged." in out
    assert "Dry run: nothing was saved." in out
    assert not Organization.objects.filter(code="C").exists()


def test_the_command_imports_with_full_rights(tree, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text(ORGS.replace(",G\n", ",\n"))  # a new top-level organization

    out, _err = run("import_orgs", path)

    assert "Imported." in out
    assert Organization.objects.get(code="C").parent is None
    assert Organization.objects.get(code="C1").parent.code == "C"


def test_errors_are_printed_with_lines_and_the_exit_code_is_non_zero(tree, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text(ORGS.replace(",C\n", ",NOPE\n"))
    err = StringIO()

    with pytest.raises(CommandError, match=r"1 error\(s\); nothing was saved\."):
        call_command("import_orgs", str(path), "--language", "en", stdout=StringIO(), stderr=err)

    assert "Line 3: Unknown parent code “NOPE”." in err.getvalue()
    assert not Organization.objects.filter(code="C").exists()


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_orgs", tmp_path / "nowhere.csv")


def test_people_are_imported_from_the_command_line(tree, tmp_path):
    path = tmp_path / "人员.csv"
    path.write_bytes(
        "工号,姓名,组织编码,类别,入党日期\nP001,王芳,B1,预备党员,2024年3月15日\n".encode("gbk")
    )

    out, _err = run("import_people", path, "-v", "2")

    assert "2: create P001" in out
    person = Person.objects.get(employee_number="P001")
    assert (person.organization.code, person.kind) == ("B1", "probationary")
