"""Optimistic locking (save_if_unchanged) and named sequences (next_value)."""

from __future__ import annotations

import datetime as dt

import pytest

from keyworker.core.errors import ConcurrentEdit
from keyworker.core.models import Sequence
from keyworker.core.sequences import next_value
from keyworker.core.testing import ClientFactory
from keyworker.core.versioning import save_if_unchanged
from keyworker.people.models import Client


def test_new_records_start_at_version_one(db):
    assert ClientFactory().version == 1


def test_save_bumps_version_and_writes_only_named_fields(db):
    client = ClientFactory(first_name="Dee", last_name="Original", home_area="Lambeth")
    before = Client.objects.get(pk=client.pk)
    client.first_name = "Dionne"
    client.last_name = "NotSaved"  # changed in memory but not named: must not be written
    save_if_unchanged(client, expected_version=1, fields=["first_name"])

    assert client.version == 2
    stored = Client.objects.get(pk=client.pk)
    assert stored.version == 2
    assert stored.first_name == "Dionne"
    assert stored.last_name == "Original"
    assert stored.updated_at >= before.updated_at
    assert stored.updated_at == client.updated_at


def test_successive_saves_keep_counting(db):
    client = ClientFactory()
    for expected in range(1, 5):
        client.pronouns = f"v{expected}"
        save_if_unchanged(client, expected_version=expected, fields=["pronouns"])
    assert Client.objects.get(pk=client.pk).version == 5


def test_stale_version_is_a_concurrent_edit_and_changes_nothing(db):
    client = ClientFactory(first_name="Dee")
    mine = Client.objects.get(pk=client.pk)
    theirs = Client.objects.get(pk=client.pk)

    theirs.first_name = "Theirs"
    save_if_unchanged(theirs, expected_version=theirs.version, fields=["first_name"])

    mine.first_name = "Mine"
    with pytest.raises(ConcurrentEdit) as raised:
        save_if_unchanged(mine, expected_version=1, fields=["first_name"])
    assert "reload" in raised.value.message
    stored = Client.objects.get(pk=client.pk)
    assert (stored.first_name, stored.version) == ("Theirs", 2)
    assert mine.version == 1  # the in-memory copy is not advanced by a refused save


def test_future_version_is_refused_too(db):
    client = ClientFactory()
    with pytest.raises(ConcurrentEdit):
        save_if_unchanged(client, expected_version=7, fields=["first_name"])
    assert Client.objects.get(pk=client.pk).version == 1


def test_deleted_row_is_a_concurrent_edit(db):
    client = ClientFactory()
    Client.objects.filter(pk=client.pk).delete()
    with pytest.raises(ConcurrentEdit):
        save_if_unchanged(client, expected_version=1, fields=["first_name"])


def test_date_fields_round_trip(db):
    client = ClientFactory(date_of_birth=dt.date(2001, 1, 1))
    client.date_of_birth = dt.date(1999, 12, 31)
    save_if_unchanged(client, expected_version=1, fields=["date_of_birth"])
    assert Client.objects.get(pk=client.pk).date_of_birth == dt.date(1999, 12, 31)


# --- sequences -------------------------------------------------------------------------------------

def test_next_value_starts_at_one_and_increments(db):
    assert [next_value("test-seq") for _ in range(5)] == [1, 2, 3, 4, 5]
    assert Sequence.objects.get(name="test-seq").value == 5


def test_sequences_are_independent(db):
    assert next_value("alpha") == 1
    assert next_value("alpha") == 2
    assert next_value("beta") == 1
    assert next_value("alpha") == 3


def test_next_value_continues_from_stored_value(db):
    Sequence.objects.create(name="resumed", value=41)
    assert next_value("resumed") == 42
