"""An act's event and the act itself are made without their dataclasses' ``__init__`` where
that is the same object: the same fields, in the same order, so the same stored bytes.

:meth:`~greenreg.registry.aggregate.RegistryAggregate.record` sets an event's fields at once,
as eventsourcing's mapper does for the events it reads, where the act gives exactly the event's
fields; :func:`~greenreg.events.acts.parse_act` does the same for the :class:`Act`. Either
differing from its ``__init__`` would change what the registry stores and what the audit
decides again. The audit's workers make the log entries they read the same way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from greenreg.events.acts import Act, parse_act, sign_act
from greenreg.events.canonical import canonical_bytes
from greenreg.events.signing import Ed25519Signer
from greenreg.events.vocabulary import IdentifierAttached, ReportFiled, UnitRegistered
from greenreg.registry.application import Registry
from greenreg.registry.unit import Unit
from greenreg.storage.log_slices import _entry
from greenreg.storage.log_tables import LogEntry

NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
SIGNER = Ed25519Signer.generate()


def envelope(**fields: Any) -> dict[str, Any]:
    return {
        "act_id": uuid4(),
        "authority_id": uuid4(),
        "signed_at": NOW,
        "effective_date": date(2024, 9, 2),
        "document_number": "苏工信〔2024〕1号",
        "document_sha256": None,
        "signed_act": "{}",
        "signature": "AA==",
        "key_id": "k",
        "flags": [],
        "timestamp": NOW,
        **fields,
    }


def twins() -> tuple[Unit, Unit]:
    unit_id = uuid4()
    fields = envelope(kind="park", name="苏州工业园区", credit_code=None, division="320505")
    made = [Unit._create(UnitRegistered, id=unit_id, **fields) for _ in range(2)]
    for unit in made:
        unit.collect_events()  # the registration
    return made[0], made[1]


def stored(event: Any) -> StoredEvent:
    return Registry(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper.to_stored_event(event)


def test_record_makes_the_event_trigger_event_makes() -> None:
    mine, theirs = twins()
    fields = envelope(report="annual", year=2024, filed_on=date(2025, 3, 1))
    mine.record(ReportFiled, **fields)
    theirs.trigger_event(ReportFiled, **fields)
    [made], [expected] = mine.collect_events(), theirs.collect_events()
    assert type(made) is ReportFiled
    assert list(vars(made).items()) == list(vars(expected).items())  # the order too
    assert stored(made) == stored(expected)
    assert made.originator_version == mine.version == 2
    assert mine.state.reports == theirs.state.reports == {("annual", 2024): date(2025, 3, 1)}
    assert vars(mine) == vars(theirs)  # version, modified_on, the acts: as mutate leaves them


def test_create_makes_the_created_event_its_init_makes() -> None:
    unit_id = uuid4()
    fields = envelope(kind="park", name="苏州工业园区", credit_code=None, division="320505")
    fields["registered_elsewhere"] = None
    mine = Unit._create(UnitRegistered, id=unit_id, **fields)
    theirs = Aggregate._create.__func__(Unit, UnitRegistered, id=unit_id, **fields)  # type: ignore[attr-defined]
    [made], [expected] = mine.collect_events(), theirs.collect_events()
    assert type(made) is UnitRegistered
    assert list(vars(made).items()) == list(vars(expected).items())  # the order too
    assert stored(made) == stored(expected)
    assert vars(mine) == vars(theirs)
    assert (mine.id, mine.version, mine.modified_on) == (unit_id, 1, NOW)


def test_a_field_left_to_its_default_or_an_unknown_field_goes_through_init() -> None:
    mine, theirs = twins()
    fields = envelope(scheme="uscc", value="91320594MA1MXXXX0X")  # registered_elsewhere: default
    mine.record(IdentifierAttached, **fields)
    theirs.trigger_event(IdentifierAttached, **fields)
    [made], [expected] = mine.collect_events(), theirs.collect_events()
    assert list(vars(made).items()) == list(vars(expected).items())
    assert made.registered_elsewhere is None
    unknown = envelope(report="annual", year=2024, filed_on=date(2025, 3, 1), colour="green")
    with pytest.raises(TypeError, match="colour"):
        mine.record(ReportFiled, **unknown)


def test_parse_act_makes_the_act_its_init_makes() -> None:
    body = {
        "type": "register_unit",
        "act_id": str(uuid4()),
        "authority": "js-eit",
        "signed_at": "2024-09-02T10:00:00+08:00",
        "effective_date": "2024-09-02",
        "document": {"number": "苏工信〔2024〕1号"},
        "kind": "park",
        "name": "苏州工业园区",
        "credit_code": None,
        "division": "320505",
    }
    signed = canonical_bytes(sign_act(body, SIGNER)["act"])
    for given in (signed, signed.decode()):
        act = parse_act(body, given, SIGNER.key_id, SIGNER.sign(signed))
        expected = Act(**vars(act))
        assert act == expected
        assert list(vars(act).items()) == list(vars(expected).items())
        assert isinstance(act.act_id, UUID)
        assert act.signed_act == signed.decode()


def test_a_slice_reads_the_log_entry_its_init_makes() -> None:
    """The audit's workers make each log entry from its row with its fields set at once: the
    same entry as its ``__init__`` makes, the id, the state and the leaf as the log's reader
    gives them whatever type the database handed back."""
    originator = uuid4()
    rows: list[tuple[Any, ...]] = [
        (7, originator, 3, "t:UnitRegistered", b"{}", 8, b"\x01" * 32),
        (7, originator.hex, 3, "t:UnitRegistered", "{}", 8, memoryview(b"\x01" * 32), "x", 3),
        (7, str(originator), 3, None, None, None, None),
    ]
    for row in rows:
        entry = _entry(row)
        expected = LogEntry(
            7,
            originator,
            3,
            row[3],
            None if row[4] is None else b"{}",
            row[5],
            None if row[6] is None else b"\x01" * 32,
        )
        assert entry == expected
        assert list(vars(entry).items()) == list(vars(expected).items())
        assert type(entry.originator_id) is UUID
        assert entry.state is None or type(entry.state) is bytes
        assert entry.stored_leaf_hash is None or type(entry.stored_leaf_hash) is bytes
        with pytest.raises(AttributeError):
            entry.position = 8  # type: ignore[misc]
