"""The replay compares each decided event with the stored one by their bytes.

:meth:`~greenreg.audit.replay.Replay._as_stored` writes the decided event's JSON form
(:class:`~greenreg.audit.replay.JSONForm`) with orjson and compares the bytes with the stored
ones; where the event has no JSON form (a float, a type the transcoder does not know), the
registry's mapper writes it. Equal bytes pass; any other bytes (a changed value, fields in
another order, a key written twice, a tag left out, whitespace) do not, and the replay then
decodes the stored event and compares it field by field, as before. For that to be the same
comparison as the mapper's, orjson must write a JSON form exactly as the registry's encoder
does: a property test checks it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import orjson
import pytest
from eventsourcing.persistence import JSONTranscoder
from eventsourcing.utils import get_topic
from hypothesis import given
from hypothesis import strategies as st

from greenreg.audit.replay import JSONForm, Replay
from greenreg.audit.report import Problem
from greenreg.events.vocabulary import (
    Designated,
    Programme,
    RegistryEvent,
    ReportFiled,
    UnitRegistered,
)
from greenreg.registry.application import Registry
from greenreg.registry.unit import Unit
from greenreg.storage.log_tables import LogEntry

NOW = datetime(2025, 3, 3, 2, 0, 5, 120, tzinfo=UTC)


def envelope(**fields: Any) -> dict[str, Any]:
    return {
        "originator_id": uuid4(),
        "originator_version": 2,
        "timestamp": NOW,
        "act_id": uuid4(),
        "authority_id": uuid4(),
        "signed_at": datetime(2025, 3, 3, 1, 30, tzinfo=UTC),
        "effective_date": date(2024, 9, 2),
        "document_number": '苏工信〔2024〕1号 "内部" \\ \t 𠀋',
        "document_sha256": None,
        "signed_act": '{"act_id":"x","note":"\\u0001"}',
        "signature": "AA==",
        "key_id": "k",
        "flags": [{"code": "late", "rule": "003 art. 18", "message": "filed\nlate"}],
        **fields,
    }


EVENTS = [
    Designated(
        **envelope(programme=Programme("green_factory"), jurisdiction="CN", batch="第四批"),
        grade=None,
    ),
    ReportFiled(**envelope(report="dynamic", year=2023, filed_on=date(2024, 4, 1))),
    UnitRegistered(
        **envelope(kind="park", name="苏州工业园区", credit_code=None, division="320505"),
        originator_topic=get_topic(Unit),
    ),
]


def _replay() -> Replay:
    def never(*_: Any) -> Any:
        raise AssertionError("not called by the comparison")

    def report(problem: Problem) -> None:
        raise AssertionError(str(problem))

    return Replay(never, never, report)


def _entry(event: RegistryEvent, state: bytes) -> LogEntry:
    topic = get_topic(type(event))
    return LogEntry(7, event.originator_id, event.originator_version, topic, state, None, None)


def _mapped(replay: Replay, event: RegistryEvent) -> bytes:
    return bytes(replay.registry.mapper.to_stored_event(event).state)


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_the_bytes_the_registry_stores_for_the_decided_event_pass(event: RegistryEvent) -> None:
    replay = _replay()
    stored = _mapped(replay, event)
    assert replay._as_stored(event, _entry(event, stored))
    # the fast way's bytes are the mapper's
    assert orjson.dumps(JSONForm(replay.registry.mapper.transcoder).state(event)) == stored


def _reordered(state: dict[str, Any]) -> dict[str, Any]:
    return dict(reversed(state.items()))


def _twice(text: bytes) -> bytes:
    """The stored JSON with its ``key_id`` written twice (the same value): parsed, the same
    object, so a comparison of parsed JSON passed it."""
    return text[:-1] + b',"key_id":"k"}'


TAMPERED = {
    "a value changed": lambda s: s.replace(b'"k"', b'"K"'),
    "fields in another order": lambda s: orjson.dumps(_reordered(orjson.loads(s))),
    "a key written twice": _twice,
    "a field left out": lambda s: orjson.dumps(
        {k: v for k, v in orjson.loads(s).items() if k != "document_sha256"}
    ),
    "a field added": lambda s: s[:-1] + b',"extra":null}',
    "a UUID without its tag": lambda s: orjson.dumps(
        {**orjson.loads(s), "act_id": orjson.loads(s)["act_id"]["_data_"]}
    ),
    "whitespace": lambda s: s.replace(b'":', b'": ', 1),
    "an escape written otherwise": lambda s: s.replace(b"\\u0001", b"\\u0001".upper()),
    "the time in another offset": lambda s: s.replace(
        b"02:00:05.000120+00:00", b"10:00:05.000120+08:00"
    ),
}


@pytest.mark.parametrize("tamper", TAMPERED.values(), ids=TAMPERED.keys())
@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_any_other_bytes_do_not(event: RegistryEvent, tamper: Any) -> None:
    replay = _replay()
    stored = _mapped(replay, event)
    tampered = tamper(stored)
    assert tampered != stored
    assert not replay._as_stored(event, _entry(event, tampered))


def test_one_form_serves_many_events_and_each_keeps_its_own_bytes() -> None:
    # One comparison serves a whole log: a day's form is kept by the day, a time's by the very
    # object (two equal times in other offsets write other text), an empty list as it is.
    replay = _replay()
    later = {"effective_date": date(2024, 9, 2), "flags": []}
    elsewhere = datetime(2025, 3, 3, 10, 0, 5, 120, tzinfo=timezone(timedelta(hours=8)))
    events = [
        *EVENTS,
        ReportFiled(**envelope(report="dynamic", year=2024, filed_on=date(2025, 4, 1), **later)),
        ReportFiled(
            **{**envelope(report="x", year=2024, filed_on=NOW.date()), "timestamp": elsewhere}
        ),
        *EVENTS,
    ]
    for event in events:
        stored = _mapped(replay, event)
        assert replay._as_stored(event, _entry(event, stored))
        assert not replay._as_stored(event, _entry(event, stored.replace(b"2024-", b"2023-")))


def test_another_topic_does_not() -> None:
    replay = _replay()
    event = EVENTS[0]
    entry = _entry(event, _mapped(replay, event))
    assert replay._as_stored(event, entry)
    assert not replay._as_stored(event, replace(entry, topic=get_topic(ReportFiled)))


def test_an_event_without_a_json_form_is_written_by_the_mapper() -> None:
    """A float has no JSON form (its text is the encoder's ``repr``, not orjson's): the
    mapper's bytes decide, for better and for worse."""
    replay = _replay()
    event = ReportFiled(**envelope(report="dynamic", year=1e-7, filed_on=date(2024, 4, 1)))
    with pytest.raises(TypeError):
        JSONForm(replay.registry.mapper.transcoder).state(event)
    stored = _mapped(replay, event)
    assert b'"year":1e-07' in stored  # orjson would write 1e-7
    assert replay._as_stored(event, _entry(event, stored))
    assert not replay._as_stored(event, _entry(event, stored.replace(b"1e-07", b"1e-7")))


def test_a_str_enum_is_its_text_as_the_encoder_writes_it() -> None:
    form = JSONForm(Registry(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper.transcoder)
    assert form.value(Programme("green_factory")) == "green_factory"
    assert type(form.value(Programme("green_factory"))) is str


_TEXT = st.text(st.characters(exclude_categories=["Cs"]))
_PLAIN = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | _TEXT
    | st.uuids().map(lambda u: {"_type_": "uuid_hex", "_data_": u.hex}),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(_TEXT, _PLAIN, max_size=6))
def test_orjson_writes_a_json_form_as_the_registrys_encoder_does(state: dict[str, Any]) -> None:
    """Text (control characters, quotation marks, backslashes and characters beyond the BMP
    included), whole numbers within 64 bits, booleans, null, lists and objects: the same bytes
    as eventsourcing's ``JSONTranscoder`` (``json``, compact, not ASCII-only)."""
    written = orjson.dumps(state)
    assert written == JSONTranscoder().encode(state)
    assert written == json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode()


def test_what_orjson_refuses_goes_to_the_mapper() -> None:
    replay = _replay()
    event = ReportFiled(**envelope(report="dynamic", year=2**70, filed_on=date(2024, 4, 1)))
    stored = _mapped(replay, event)
    assert replay._as_stored(event, _entry(event, stored))
    assert isinstance(event.originator_id, UUID)
