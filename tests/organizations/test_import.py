"""Importing organizations and people from CSV and XLSX: plans, errors and all-or-nothing writes.

Files are built in the tests: CSV as text in the encoding Excel would use, XLSX with openpyxl.
Messages are checked in English (the source language); line 1 is the header.
"""

import codecs
import datetime
import io
import time
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from organizations.importers import ORGANIZATIONS, PEOPLE, build_plan
from organizations.models import Organization, Person
from organizations.services import assign_role
from organizations.services.imports import import_file

from ..factories import DepartmentFactory, OrganizationFactory, PersonFactory, UserFactory
from ..workbook_bombs import xlsx_bomb

pytestmark = pytest.mark.django_db

ORG_HEADER = "code,name,name_en,kind,parent_code"
PEOPLE_HEADER = (
    "employee_number,name,organization_code,department_code,kind,party_member_since,status"
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def csv_file(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_file(*rows: list) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def state() -> tuple[list, list]:
    """Everything an import could change, to prove that a rejected file changed nothing."""
    orgs = list(
        Organization.objects.order_by("code").values_list(
            "code", "name", "name_en", "kind__code", "parent__code", "path", "depth"
        )
    )
    people = list(
        Person.objects.order_by("employee_number").values_list(
            "employee_number", "name", "organization__code", "kind", "status"
        )
    )
    return orgs, people


def rejected(kind: str, data: bytes, filename: str = "file.csv", *, user=None) -> list[str]:
    """Import a bad file; assert that nothing changed and return the errors as printed."""
    before = state()
    plan = import_file(kind, data, filename, user=user)
    assert not plan.ok
    assert state() == before
    return [str(issue) for issue in plan.errors]


def path_of(code: str) -> str:
    return Organization.objects.get(code=code).path


def test_children_may_come_before_their_parents_and_hang_under_existing_ones(tree):
    data = csv_file(
        ORG_HEADER,
        "C1a,丙一第一支部,C1a branch,branch,C1",
        "C1,丙一党总支,C1 general branch,general_branch,C",
        "C,丙公司党委,C Co.,committee,G",
    )

    plan = import_file(ORGANIZATIONS, data, "orgs.csv")

    assert plan.ok, plan.errors
    c, c1, c1a = (Organization.objects.get(code=code) for code in ("C", "C1", "C1a"))
    assert c1a.parent == c1
    assert c1.parent == c
    assert c.parent == tree.group
    assert c1a.path == f"{tree.group.path}{c.pk}/{c1.pk}/{c1a.pk}/"
    assert (c.depth, c1.depth, c1a.depth) == (1, 2, 3)
    assert c1a.kind.code == "branch"


def test_the_preview_counts_creates_updates_and_unchanged_rows_and_saves_nothing(tree):
    data = csv_file(
        ORG_HEADER,
        "G,集团党组,Group,group,",
        "A,甲公司党委（新名）,A Co.,committee,G",
        "N,新支部,,branch,A",
    )
    before = state()

    plan = import_file(ORGANIZATIONS, data, "orgs.csv", dry_run=True)

    assert plan.counts == {"create": 1, "update": 1, "unchanged": 1, "error": 0}
    assert [row.change for row in plan.rows] == ["unchanged", "update", "create"]
    assert plan.rows[1].changed_fields == ["name"]
    assert state() == before


def test_reimporting_the_same_file_updates_instead_of_duplicating(tree):
    first = csv_file(ORG_HEADER, "C,丙公司党委,C Co.,committee,G", "C1,丙一支部,,branch,C")
    import_file(ORGANIZATIONS, first, "orgs.csv")
    again = csv_file(ORG_HEADER, "C,丙公司党委,C Company,committee,G", "C1,丙一支部,,branch,C")

    plan = import_file(ORGANIZATIONS, again, "orgs.csv")

    assert plan.counts == {"create": 0, "update": 1, "unchanged": 1, "error": 0}
    assert Organization.objects.filter(code__in=["C", "C1"]).count() == 2
    assert Organization.objects.get(code="C").name_en == "C Company"


def test_chinese_headers_and_kind_names_are_accepted(tree):
    data = csv_file("编码,名称,英文名称,类型,上级编码", "C,丙公司党委,C Co.,党委,G")

    plan = import_file(ORGANIZATIONS, data, "组织.csv")

    assert plan.ok, plan.errors
    assert Organization.objects.get(code="C").kind.code == "committee"


def test_a_gbk_csv_as_chinese_excel_saves_it_is_read_correctly(tree):
    data = csv_file("编码,名称,英文名称,类型,上级编码", "C,丙公司党委,,党委,G", encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    plan = import_file(ORGANIZATIONS, data, "组织.csv")

    assert plan.ok, plan.errors
    assert Organization.objects.get(code="C").name == "丙公司党委"


def test_an_xlsx_workbook_is_imported(tree):
    data = xlsx_file(
        ["code", "name", "name_en", "kind", "parent_code"],
        ["C", "丙公司党委", "C Co.", "committee", "G"],
        [1001, "丙一支部", None, "branch", "C"],
    )

    plan = import_file(ORGANIZATIONS, data, "orgs.xlsx")

    assert plan.ok, plan.errors
    # A code typed as a number comes back from Excel as 1001.0; it is the code "1001".
    assert Organization.objects.get(code="1001").parent.code == "C"


def test_a_new_parent_moves_the_whole_subtree(tree):
    data = csv_file(ORG_HEADER, "A1,甲一党总支,A1 general branch,general_branch,B")

    plan = import_file(ORGANIZATIONS, data, "orgs.csv")

    assert plan.rows[0].changed_fields == ["parent"]
    tree.b.refresh_from_db()
    assert path_of("A1a") == f"{tree.b.path}{tree.a1.pk}/{tree.a1a.pk}/"
    assert Organization.objects.get(code="A1a").depth == 3


def test_moves_that_invert_a_branch_of_the_tree_apply_in_a_safe_order(tree):
    # A1 leaves A for the top of the group, then A hangs below it: valid once both are applied.
    data = csv_file(
        ORG_HEADER,
        "A,甲公司党委,A Co.,committee,A1",
        "A1,甲一党总支,A1 general branch,general_branch,G",
    )

    plan = import_file(ORGANIZATIONS, data, "orgs.csv")

    assert plan.ok, plan.errors
    assert path_of("A") == f"{tree.group.path}{tree.a1.pk}/{tree.a.pk}/"
    assert path_of("A1b") == f"{tree.group.path}{tree.a1.pk}/{tree.a1b.pk}/"


def test_new_children_of_a_moved_organization_follow_it(tree):
    data = csv_file(
        ORG_HEADER,
        "A1c,甲一第三支部,,branch,A1",
        "A1,甲一党总支,A1 general branch,general_branch,B",
    )

    import_file(ORGANIZATIONS, data, "orgs.csv")

    a1c = Organization.objects.get(code="A1c")
    assert a1c.path == f"{path_of('A1')}{a1c.pk}/"
    assert a1c.path.startswith(path_of("B"))


def test_a_missing_column_is_an_error_on_the_header_line(tree):
    errors = rejected(ORGANIZATIONS, csv_file("code,name,kind", "C,丙公司党委,committee"))

    assert errors == ["Line 1: Missing column “parent_code” (or “上级编码”)."]


def test_an_unknown_column_is_an_error_on_the_header_line(tree):
    errors = rejected(
        ORGANIZATIONS, csv_file(f"{ORG_HEADER},secretary", "C,丙公司党委,,committee,G,张三")
    )

    assert len(errors) == 1
    assert errors[0].startswith("Line 1: Unknown column “secretary”. Expected columns: code (编码)")


def test_an_unknown_parent_code_is_an_error_on_its_line(tree):
    errors = rejected(
        ORGANIZATIONS,
        csv_file(ORG_HEADER, "C,丙公司党委,,committee,G", "C1,丙一支部,,branch,NOPE"),
    )

    assert errors == ["Line 3: Unknown parent code “NOPE”."]


def test_a_cycle_of_parents_in_the_file_names_its_codes(tree):
    errors = rejected(
        ORGANIZATIONS,
        csv_file(
            ORG_HEADER,
            "X,甲,,branch,Z",
            "Y,乙,,branch,X",
            "Z,丙,,branch,Y",
        ),
    )

    assert errors == ["Line 2: Parent references form a cycle: X → Z → Y → X."]


def test_duplicate_codes_in_the_file_point_at_the_first_occurrence(tree):
    errors = rejected(
        ORGANIZATIONS,
        csv_file(ORG_HEADER, "C,丙公司党委,,committee,G", "C,丙公司,,committee,G"),
    )

    assert errors == [
        "Line 3: Code “C” appears more than once in the file (first on line 2).",
    ]


def test_an_empty_file_is_refused(tree):
    assert rejected(ORGANIZATIONS, b"") == ["The file is empty."]


def test_a_header_without_rows_is_refused(tree):
    errors = rejected(ORGANIZATIONS, csv_file(ORG_HEADER))

    assert errors == ["Line 1: The file has a header but no data rows."]


def test_a_binary_file_named_csv_gets_a_clear_message(tree):
    errors = rejected(ORGANIZATIONS, b"\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe" * 20)

    assert len(errors) == 1
    assert errors[0].startswith("The file contains binary data, not CSV text.")


def test_text_in_neither_utf8_nor_gb18030_is_refused(tree):
    errors = rejected(ORGANIZATIONS, ORG_HEADER.encode() + b"\r\nC,\x80\xff,,branch,G\r\n")

    assert errors == ["The file could not be read as text (tried UTF-8 and GB18030/GBK encodings)."]


def test_an_xlsx_workbook_named_csv_is_recognised(tree):
    data = xlsx_file(["code", "name", "name_en", "kind", "parent_code"])

    errors = rejected(ORGANIZATIONS, data, "orgs.csv")

    assert errors == [
        "This is an Excel workbook, not a CSV file: upload it with the .xlsx extension."
    ]


def test_a_file_over_the_upload_limit_is_refused(tree, settings):
    settings.UPLOAD_MAX_BYTES = 100
    data = csv_file(ORG_HEADER, *(f"C{n},丙{n},,branch,G" for n in range(10)))

    errors = rejected(ORGANIZATIONS, data)

    # filesizeformat joins number and unit with a no-break space.
    assert errors == [f"The file is {len(data)}\xa0bytes; the largest accepted is 100\xa0bytes."]


def test_a_file_that_is_not_a_valid_xlsx_is_refused(tree):
    errors = rejected(ORGANIZATIONS, b"code,name\nthis is text, not a workbook\n", "orgs.xlsx")

    assert errors == ["The file is not a valid XLSX workbook."]


def test_a_workbook_with_a_broken_sheet_is_refused(tree):
    good = zipfile.ZipFile(io.BytesIO(xlsx_file(["code", "name", "kind", "parent_code"])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as broken:
        for name in good.namelist():
            content = good.read(name)
            broken.writestr(name, b"<worksheet" if name.endswith("sheet1.xml") else content)

    errors = rejected(ORGANIZATIONS, buffer.getvalue(), "orgs.xlsx")

    assert errors == ["The file is not a valid XLSX workbook."]


@pytest.mark.parametrize("kind", [ORGANIZATIONS, PEOPLE])
def test_a_workbook_that_unpacks_to_300_mb_is_refused_before_it_is_parsed(tree, kind):
    """GIVEN a 0.3 MB .xlsx whose sheet unpacks to 300 MB WHEN imported THEN it is refused at
    once (before the guard, an 860 KB one took 51 s and 458 MB to parse)."""
    data = xlsx_bomb(300 * 1024 * 1024)

    started = time.perf_counter()
    errors = rejected(kind, data, "bomb.xlsx")

    assert errors == ["The workbook expands to more than 100.0\xa0MB when opened and is refused."]
    assert time.perf_counter() - started < 2


def test_an_old_xls_workbook_is_told_to_be_saved_as_xlsx(tree):
    errors = rejected(ORGANIZATIONS, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "o.xlsx")

    assert errors == [
        "This is an old-style .xls workbook: save it in Excel as .xlsx and upload that."
    ]


def test_excel_unicode_text_is_read_as_tab_separated_utf16(tree):
    text = "编码\t名称\t类型\t上级编码\r\nC\t丙公司党委\t党委\tG\r\n"

    plan = import_file(ORGANIZATIONS, codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "o.csv")

    assert plan.ok, plan.errors
    assert Organization.objects.get(code="C").name == "丙公司党委"


def test_a_value_in_a_column_without_header_is_an_error_on_its_line(tree):
    errors = rejected(ORGANIZATIONS, csv_file(ORG_HEADER, "C,丙公司党委,,committee,G,张三"))

    assert errors == ["Line 2: A value stands in a column without a header."]


def test_an_unknown_organization_kind_lists_the_known_ones(tree):
    errors = rejected(ORGANIZATIONS, csv_file(ORG_HEADER, "C,丙公司党委,,company,G"))

    assert len(errors) == 1
    assert errors[0].startswith("Line 2: Unknown organization kind “company”. Use one of: group")


def test_moving_an_organization_under_its_own_descendant_is_refused(tree):
    errors = rejected(ORGANIZATIONS, csv_file(ORG_HEADER, "A,甲公司党委,A Co.,committee,A1a"))

    assert errors == [
        "Line 2: A cannot move under A1a: that is inside its own subtree "
        "(cycle: A → A1a → A1 → A).",
    ]


def test_required_values_are_checked_per_row(tree):
    errors = rejected(ORGANIZATIONS, csv_file("编码,名称,类型,上级编码", ",丙公司党委,党委,G"))

    assert errors == ["Line 2: “编码” is required."]


def test_one_bad_row_keeps_every_good_row_out(tree):
    data = csv_file(ORG_HEADER, "C,丙公司党委,,committee,G", "D,丁公司党委,,committee,NOPE")

    plan = import_file(ORGANIZATIONS, data, "orgs.csv")

    # The preview still tells what the good row would do; nothing is written.
    assert plan.counts == {"create": 1, "update": 0, "unchanged": 0, "error": 1}
    assert not Organization.objects.filter(code="C").exists()


def test_people_are_created_with_their_department_and_dates(tree):
    DepartmentFactory(organization=tree.a1a, code="D01", name="综合部")
    data = csv_file(
        PEOPLE_HEADER,
        "P001,王芳,A1a,D01,member,2001-07-01,active",
        "P002,李强,A1a,,预备党员,2024/03/15,在职",
        "P003,赵敏,A1b,,群众,,",
    )

    plan = import_file(PEOPLE, data, "people.csv")

    assert plan.ok, plan.errors
    wang, li, zhao = Person.objects.filter(employee_number__startswith="P").order_by("pk")
    assert (wang.department.code, wang.party_member_since) == ("D01", datetime.date(2001, 7, 1))
    assert (li.kind, li.party_member_since, li.status) == (
        "probationary",
        datetime.date(2024, 3, 15),
        "active",
    )
    assert (zhao.organization, zhao.kind, zhao.party_member_since) == (tree.a1b, "staff", None)


def test_people_with_chinese_headers_from_an_xlsx_workbook(tree):
    data = xlsx_file(
        ["工号", "姓名", "组织编码", "类别", "入党日期"],
        [20240001, "王芳", "A1a", "正式党员", datetime.datetime(2001, 7, 1)],
    )

    plan = import_file(PEOPLE, data, "人员.xlsx")

    assert plan.ok, plan.errors
    assert Person.objects.get(employee_number="20240001").party_member_since == datetime.date(
        2001, 7, 1
    )


def test_reimporting_people_updates_them_by_employee_number(tree):
    import_file(PEOPLE, csv_file(PEOPLE_HEADER, "P001,王芳,A1a,,member,2001-07-01,"), "p.csv")
    again = csv_file(PEOPLE_HEADER, "P001,王芳,A1b,,member,2001-07-01,retired")

    plan = import_file(PEOPLE, again, "p.csv")

    assert plan.counts == {"create": 0, "update": 1, "unchanged": 0, "error": 0}
    assert plan.rows[0].changed_fields == ["organization", "status"]
    person = Person.objects.get(employee_number="P001")
    assert (person.organization, person.status) == (tree.a1b, "retired")
    assert Person.objects.filter(employee_number="P001").count() == 1


def test_a_column_left_out_leaves_that_field_alone(tree):
    person = PersonFactory(organization=tree.a1a, status="retired")
    data = csv_file(
        "employee_number,name,organization_code,kind", f"{person.employee_number},新名,A1a,member"
    )

    plan = import_file(PEOPLE, data, "p.csv")

    assert plan.rows[0].changed_fields == ["name"]
    person.refresh_from_db()
    assert (person.name, person.status) == ("新名", "retired")


def test_an_invalid_date_is_an_error_on_its_line(tree):
    errors = rejected(
        PEOPLE,
        csv_file(
            PEOPLE_HEADER, "P001,王芳,A1a,,member,2001-07-01,", "P002,李强,A1a,,member,2001-02-30,"
        ),
    )

    assert errors == [
        "Line 3: Invalid date “2001-02-30” in “party_member_since”: write it as YYYY-MM-DD."
    ]


def test_an_unknown_person_kind_and_status_are_errors(tree):
    errors = rejected(PEOPLE, csv_file(PEOPLE_HEADER, "P001,王芳,A1a,,volunteer,,on leave"))

    assert len(errors) == 2
    assert errors[0].startswith("Line 2: Unknown kind “volunteer”. Use one of: member (正式党员)")
    assert errors[1].startswith("Line 2: Unknown status “on leave”. Use one of: active (在职)")


def test_a_person_in_an_unknown_organization_is_an_error(tree):
    errors = rejected(PEOPLE, csv_file(PEOPLE_HEADER, "P001,王芳,NOPE,,member,,"))

    assert errors == ["Line 2: Unknown organization code “NOPE”."]


def test_an_unknown_department_is_refused_not_created(tree):
    DepartmentFactory(organization=tree.a1b, code="D01")
    errors = rejected(PEOPLE, csv_file(PEOPLE_HEADER, "P001,王芳,A1a,D01,member,,"))

    assert errors == ["Line 2: Unknown department code “D01” in organization “A1a”."]


def test_staff_cannot_have_a_party_membership_date(tree):
    errors = rejected(PEOPLE, csv_file(PEOPLE_HEADER, "P001,王芳,A1a,,staff,2001-07-01,"))

    assert errors == ["Line 2: Staff who are not party members have no date of joining."]


def test_duplicate_employee_numbers_in_the_file_are_refused(tree):
    errors = rejected(
        PEOPLE, csv_file(PEOPLE_HEADER, "P001,王芳,A1a,,member,,", "P001,李强,A1a,,member,,")
    )

    assert errors == [
        "Line 3: Employee number “P001” appears more than once in the file (first on line 2)."
    ]


def test_thousands_of_people_import_in_a_bounded_number_of_queries(
    tree, django_assert_max_num_queries
):
    orgs = [OrganizationFactory(parent=tree.a1) for _ in range(20)]
    rows = [f"N{n:05d},人员{n},{orgs[n % 20].code},,member,2010-01-01," for n in range(3000)]
    data = csv_file(PEOPLE_HEADER, *rows)

    # Lookups and writes go in chunks (SQLite inserts ~120 rows a statement), never row by row.
    with django_assert_max_num_queries(len(rows) // 60):
        plan = import_file(PEOPLE, data, "people.csv")

    assert plan.counts["create"] == 3000
    assert Person.objects.filter(employee_number__startswith="N").count() == 3000


@pytest.fixture
def hana(tree):
    """An administrator of committee A only."""
    user = UserFactory(username="hana")
    assign_role(user=user, organization=tree.a, role="administrator")
    return user


def test_a_scoped_administrator_imports_inside_their_subtree(tree, hana):
    data = csv_file(ORG_HEADER, "A1c,甲一第三支部,,branch,A1", "A,甲公司党委,A Co.,committee,G")

    plan = import_file(ORGANIZATIONS, data, "orgs.csv", user=hana)

    assert plan.ok, plan.errors
    assert [row.change for row in plan.rows] == ["create", "unchanged"]


def test_a_scoped_administrator_cannot_change_an_organization_outside(tree, hana):
    errors = rejected(
        ORGANIZATIONS, csv_file(ORG_HEADER, "B1,乙一支部（改名）,,branch,B"), user=hana
    )

    # The same words as for a code that does not exist: B1's existence is not revealed.
    assert errors == [
        "Line 2: Unknown organization code “B1”: it cannot be created or changed here."
    ]


def test_a_scoped_administrator_cannot_hang_an_organization_outside(tree, hana):
    errors = rejected(ORGANIZATIONS, csv_file(ORG_HEADER, "A1c,甲一第三支部,,branch,B"), user=hana)

    assert errors == ["Line 2: Unknown parent code “B”."]


def test_a_scoped_administrator_cannot_create_a_top_level_organization(tree, hana):
    errors = rejected(ORGANIZATIONS, csv_file(ORG_HEADER, "C,丙公司党委,,committee,"), user=hana)

    assert errors == [
        "Line 2: A top-level organization would be outside your scope: give a parent code."
    ]


def test_a_scoped_administrator_cannot_place_people_outside(tree, hana):
    errors = rejected(PEOPLE, csv_file(PEOPLE_HEADER, "P001,王芳,B1,,member,,"), user=hana)

    assert errors == ["Line 2: Unknown organization code “B1”."]


def test_a_scoped_administrator_cannot_take_over_a_person_from_outside(tree, hana):
    outsider = Person.objects.get(organization=tree.b1)

    errors = rejected(
        PEOPLE,
        csv_file(PEOPLE_HEADER, f"{outsider.employee_number},王芳,A1a,,member,,"),
        user=hana,
    )

    assert errors == [
        f"Line 2: Unknown employee number “{outsider.employee_number}”: it cannot be created or "
        "changed here."
    ]


def test_plans_are_built_for_the_importing_user_only(tree, erin, alice):
    data = csv_file(ORG_HEADER, "C,丙公司党委,,committee,G")

    assert build_plan(ORGANIZATIONS, data, "orgs.csv", user=erin).ok
    assert build_plan(ORGANIZATIONS, data, "orgs.csv", user=alice).errors[0].message == (
        "Unknown parent code “G”."
    )
