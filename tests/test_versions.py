import time

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


def test_values_computed_together_are_each_remembered():
    assert versions.remember_many(["data"], lambda: {"a": 1, "b": 2}) == 2
    assert versions.remember("a", ["data"], lambda: "computed") == 1
    assert versions.remember("b", ["data"], lambda: "computed") == 2


def test_values_computed_together_across_a_bump_are_not_served_as_newer():
    def compute():
        versions.bump("data")  # rows written while the values were being computed
        return {"a": "old"}

    versions.remember_many(["data"], compute)
    assert versions.remember("a", ["data"], lambda: "new") == "new"


def test_a_bump_is_announced_with_the_versions_name():
    heard = []

    def listener(sender, *, name, **kwargs):
        heard.append(name)

    versions.bumped.connect(listener)
    try:
        versions.bump("data")
    finally:
        versions.bumped.disconnect(listener)
    assert heard == ["data"]


def test_a_staged_version_is_read_only_ahead_until_it_is_published():
    versions.remember("k", ["data"], lambda: "old")
    versions.stage("data")
    assert versions.remember("k", ["data"], lambda: "new", ahead=True) == "new"
    assert versions.remember("k", ["data"], lambda: "computed") == "old"
    versions.publish("data")
    assert versions.remember("k", ["data"], lambda: "computed") == "new"


def test_a_version_staged_twice_is_filled_once():
    versions.stage("data")
    versions.remember("k", ["data"], lambda: "first", ahead=True)
    versions.stage("data")  # while the first is being filled
    assert versions.remember("k", ["data"], lambda: "second", ahead=True) == "first"


def test_a_staged_version_nobody_publishes_is_taken_by_the_readers(monkeypatch):
    versions.remember("k", ["data"], lambda: "old")
    versions.stage("data")
    later = time.time() + versions.STAGED_FOR + 1
    monkeypatch.setattr(versions.time, "time", lambda: later)
    assert versions.remember("k", ["data"], lambda: "new") == "new"
