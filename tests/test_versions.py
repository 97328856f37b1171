from django.db import transaction

from core import versions


def test_a_value_is_computed_once_per_version():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert versions.remember("k", ["data"], compute) == 1
    assert versions.remember("k", ["data"], compute) == 1
    versions.bump("data")
    assert versions.remember("k", ["data"], compute) == 2
    assert len(calls) == 2


def test_other_versions_are_left_alone():
    versions.remember("a", ["one"], lambda: "first")
    versions.bump("two")
    assert versions.remember("a", ["one"], lambda: "second") == "first"


def test_a_bump_waits_for_the_commit(db, django_capture_on_commit_callbacks):
    before = versions.current("data")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        versions.bump_on_commit("data")
        assert versions.current("data") == before
    assert versions.current("data") != before
