"""core.bulk.insert_rows: values arrive as they were given, on SQLite and over PostgreSQL's
COPY, and conflicting rows are skipped when asked."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from assessment.models import Rollup
from core.bulk import insert_rows

COLUMNS = [
    Rollup._meta.get_field(name).column
    for name in (
        "period",
        "organization",
        "dimension",
        "score",
        "members",
        "expected",
        "approved",
        "flagged",
        "grade",
        "explanation",
        "computed_at",
    )
]


def _row(org: int, dimension: str, *, score=1.5, grade="A", flagged=False, explanation="{}"):
    stamp = Rollup._meta.get_field("computed_at").get_db_prep_save(timezone.now(), connection)
    return (7, org, dimension, score, 3, 2, 1, flagged, grade, explanation, stamp)


@pytest.mark.django_db
def test_tricky_values_arrive_unchanged():
    tricky = [
        _row(1, "", score=None, grade=""),  # NULL and an empty string are not the same
        _row(2, "\\N", grade="\\N"),  # COPY's NULL marker as text stays text
        _row(3, 'a,"b"\nc', flagged=True, explanation='{"say": "他说\\"好\\", 1,2"}'),
        _row(4, "党建", score=-0.000001, grade="B+"),
        _row(5, "tab\there\\back\r\n\\.", explanation='{"path": "C:\\\\x\\t"}'),
    ]
    insert_rows(Rollup, COLUMNS, tricky)
    stored = {
        r.organization_id: r
        for r in Rollup.objects.filter(period_id=7).order_by().select_related(None)
    }
    assert stored[1].score is None
    assert stored[1].grade == ""
    assert stored[1].dimension == ""
    assert stored[2].dimension == "\\N"
    assert stored[2].grade == "\\N"
    assert stored[3].dimension == 'a,"b"\nc'
    assert stored[3].flagged is True
    assert stored[3].explanation == {"say": '他说"好", 1,2'}
    assert stored[4].dimension == "党建"
    assert stored[4].score == -0.000001
    assert stored[5].dimension == "tab\there\\back\r\n\\."
    assert stored[5].explanation == {"path": "C:\\x\t"}
    assert stored[1].flagged is False
    assert stored[1].members == 3


@pytest.mark.django_db
def test_conflicts_are_skipped_only_when_asked():
    insert_rows(Rollup, COLUMNS, [_row(1, "", grade="A")])
    insert_rows(
        Rollup, COLUMNS, [_row(1, "", grade="B"), _row(2, "", grade="C")], ignore_conflicts=True
    )
    grades = dict(
        Rollup.objects.filter(period_id=7).order_by().values_list("organization_id", "grade")
    )
    assert grades == {1: "A", 2: "C"}  # the existing row kept, the new one added
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Rollup, COLUMNS, [_row(1, "", grade="D")])
    assert Rollup.objects.filter(period_id=7).order_by().count() == 2


@pytest.mark.django_db
def test_rows_are_drawn_lazily_and_a_failure_midway_writes_nothing(monkeypatch):
    from core import bulk

    monkeypatch.setattr(bulk, "STREAM_ROWS", 10)
    drawn = []

    def rows(count, fail_at=None):
        for n in range(count):
            if n == fail_at:
                raise ValueError("a row could not be made")
            drawn.append(n)
            yield _row(n, "")

    insert_rows(Rollup, COLUMNS, rows(35))  # several reads of the stream
    assert Rollup.objects.filter(period_id=7).order_by().count() == 35
    drawn.clear()
    with pytest.raises(ValueError, match="could not be made"), transaction.atomic():
        insert_rows(Rollup, COLUMNS, (row for row in rows(60, fail_at=25) if row[1] >= 35))
    assert Rollup.objects.filter(period_id=7).order_by().count() == 35  # the batch rolled back
    assert drawn == list(range(25))  # drawn as needed, up to the failure
