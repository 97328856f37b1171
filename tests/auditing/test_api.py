"""/api/v1/audit/: read-only, scoped by the audit action, filtered as the page."""

import pytest

from audit.models import AuditEntry
from audit.services import record, run_verification

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit/"


@pytest.fixture
def entries(tree, alice):
    return {
        "a1a": record(
            "value.changed",
            actor=alice,
            organization=tree.a1a,
            target="submission:1",
            before={"C1.01": 1},
            after={"C1.01": 2},
        ),
        "b1": record("value.changed", organization=tree.b1, target="submission:3"),
        "group": record("framework.published", target="framework:1"),
    }


def listed(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"] if row["kind"] != "role.assigned"}


def test_an_auditor_lists_the_entries_of_their_subtree(api_for, dave, entries):
    assert listed(api_for(dave).get(URL)) == {entries["a1a"].pk}


def test_an_administrator_of_the_group_lists_everything(api_for, erin, entries):
    assert listed(api_for(erin).get(URL)) == {e.pk for e in entries.values()}


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "frank"])
def test_others_list_nothing_and_get_404_for_an_entry(request, api_for, entries, who):
    client = api_for(request.getfixturevalue(who))
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert client.get(f"{URL}{entries['a1a'].pk}/").status_code == 404
    assert client.get(f"{URL}verification/").status_code == 404


def test_an_entry_carries_its_content_and_hashes(api_for, dave, alice, entries):
    entry = entries["a1a"]
    data = api_for(dave).get(f"{URL}{entry.pk}/").json()
    assert data["kind"] == "value.changed"
    assert data["actor"] == alice.pk
    assert data["actor_name"] == "alice"
    assert data["before"] == {"C1.01": 1}
    assert data["after"] == {"C1.01": 2}
    assert data["hash"] == entry.hash
    assert data["prev_hash"] == entry.prev_hash


def test_an_entry_outside_the_scope_is_404(api_for, dave, entries):
    assert api_for(dave).get(f"{URL}{entries['b1'].pk}/").status_code == 404
    assert api_for(dave).get(f"{URL}{entries['group'].pk}/").status_code == 404


def test_writes_are_not_allowed(api_for, erin, entries):
    client = api_for(erin)
    assert client.post(URL, {"kind": "x"}).status_code == 405
    assert client.delete(f"{URL}{entries['a1a'].pk}/").status_code == 405
    assert client.patch(f"{URL}{entries['a1a'].pk}/", {"summary": "x"}).status_code == 405
    assert AuditEntry.objects.filter(pk=entries["a1a"].pk, summary="").exists()


def test_filters_as_on_the_page(api_for, erin, tree, entries):
    client = api_for(erin)
    assert listed(client.get(URL, {"within": tree.a.pk})) == {entries["a1a"].pk}
    assert listed(client.get(URL, {"kind": "framework"})) == {entries["group"].pk}
    assert listed(client.get(URL, {"user": "alice"})) == {entries["a1a"].pk}
    assert listed(client.get(URL, {"q": "submission:3"})) == {entries["b1"].pk}
    assert client.get(URL, {"since": "not a date"}).status_code == 400


def test_the_last_verification(api_for, dave, entries):
    client = api_for(dave)
    assert client.get(f"{URL}verification/").status_code == 404
    run_verification()
    data = client.get(f"{URL}verification/").json()
    assert data["intact"] is True
    assert data["entries"] == AuditEntry.objects.count()
