"""Stored events decoded for the fold: the registry's mapper, with a faster parse of the state.

The registry's mapper (eventsourcing's ``Mapper`` and ``JSONTranscoder``) parses an event's
state with :mod:`json` and an ``object_hook`` that Python calls for every JSON object, to revive
the values it tagged (``{"_type_": "uuid_hex", "_data_": "..."}``). :func:`fold_decoder` keeps
the mapper and only swaps its transcoder for :class:`TaggedJSON`: orjson parses the state, and
one walk revives the tagged values with the registry's own transcodings, inner ones first, as the
hook does. The topic, the originator id, upcasting, a cipher or a compressor stay the mapper's
own code, so the events are the same objects. A state orjson refuses (``NaN``, a lone
surrogate, text that is not UTF-8), a state holding a float (orjson reads an integer beyond 64
bits as one, :mod:`json` does not) or a tag the walk does not know is handed to the registry's
transcoder, which decodes it, or fails, as it always did; so is a
state on which the walk fails in any way, so that an error is the registry's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID, SafeUUID

import orjson
from eventsourcing.persistence import (
    JSONTranscoder,
    Mapper,
    StoredEvent,
    Transcoder,
    UUIDAsHex,
)


class _Unusual(Exception):  # noqa: N818 (a signal, not an error)
    """A tag the walk does not know: the registry's transcoder decides."""


class TaggedJSON(Transcoder):
    """Decodes what a :class:`JSONTranscoder` encoded, to the same values, with orjson."""

    def __init__(self, transcoder: JSONTranscoder) -> None:
        self.transcoder = transcoder
        self.names = transcoder.names
        self.decoders: dict[str, Callable[[Any], Any]] = {
            name: transcoding.decode for name, transcoding in self.names.items()
        }
        uuids = self.names.get("uuid_hex")
        if type(uuids) is UUIDAsHex:  # eventsourcing's own: the same UUID for the same text
            made = uuid_from_hex if UUID.__slots__ == _UUID_SLOTS else uuids.decode
            self.decoders["uuid_hex"] = _remembered(made)

    def encode(self, obj: Any) -> bytes:
        return self.transcoder.encode(obj)

    def decode(self, data: bytes) -> Any:
        try:
            return self._parse(data)
        except Exception:  # whatever it is, the registry's transcoder decides
            return self.transcoder.decode(data)

    def _parse(self, data: bytes) -> Any:
        value = orjson.loads(data)
        kind = type(value)
        if kind in _NESTED:
            return self._revive(value)
        if kind is float:
            raise _Unusual
        return value

    def _revive(self, value: Any) -> Any:
        is_list = type(value) is list
        # a dict's values first, as the hook sees them (replacing a value keeps the iteration)
        items: Iterable[tuple[Any, Any]] = enumerate(value) if is_list else value.items()
        for key, item in items:
            kind = type(item)
            if kind is str:  # most values: nothing to revive
                continue
            if kind is dict:
                data = item.get("_data_") if len(item) == 2 else None
                if type(data) is str:  # the usual tagged value, revived here
                    decoder = self.decoders.get(item.get("_type_"))
                    if decoder is None:
                        raise _Unusual
                    value[key] = decoder(data)
                else:
                    value[key] = self._revive(item)
            elif kind is list:
                value[key] = self._revive(item)
            elif kind is float:
                raise _Unusual  # orjson reads an integer beyond 64 bits as a float: json does not
        if is_list:
            return value
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            name = value["_type_"]
            transcoding = self.names.get(name) if type(name) is str else None
            if transcoding is None:
                raise _Unusual
            return transcoding.decode(value["_data_"])
        return value


_NESTED = frozenset({dict, list})
_UUID_SLOTS = ("int", "is_safe", "__weakref__")
_NEW, _SET = object.__new__, object.__setattr__


def uuid_from_hex(data: str) -> UUID:
    """``UUID(data)``, as eventsourcing's ``UUIDAsHex`` decodes a UUID, without the
    constructor's checks of the arguments it is not given (a third of its time): the text
    read as the constructor reads it (a URN prefix, braces and hyphens dropped, 32 hexadecimal
    digits), to an equal UUID with the same attributes. Text it would refuse goes to the
    constructor, which refuses it."""
    digits = data.replace("urn:", "").replace("uuid:", "").strip("{}").replace("-", "")
    if len(digits) != 32:  # a UUID's hexadecimal digits
        return UUID(data)
    try:
        value = int(digits, 16)
    except ValueError:
        return UUID(data)
    uuid = _NEW(UUID)
    _SET(uuid, "int", value)
    _SET(uuid, "is_safe", SafeUUID.unknown)
    return uuid


REMEMBERED = 4_096
"""How many decoded UUIDs a decoder keeps: the few authorities and keys that sign every act
recur in almost every event, and a UUID is immutable, so one object serves them all."""


def _remembered(decode: Callable[[str], UUID]) -> Callable[[str], UUID]:
    """``decode``, remembering its last few thousand answers (forgotten all at once when full)."""
    known: dict[str, UUID] = {}

    def remembered(data: str) -> UUID:
        found = known.get(data)
        if found is None:
            if len(known) >= REMEMBERED:
                known.clear()
            found = known[data] = decode(data)
        return found

    return remembered


def fold_decoder(mapper: Mapper[Any]) -> Callable[[StoredEvent], Any]:
    """``mapper.to_domain_event``, parsing states with :class:`TaggedJSON` when the mapper's
    transcoder is a :class:`JSONTranscoder`."""
    if type(mapper.transcoder) is not JSONTranscoder:
        return mapper.to_domain_event
    faster: Mapper[Any] = Mapper(TaggedJSON(mapper.transcoder), mapper.compressor, mapper.cipher)
    return faster.to_domain_event
