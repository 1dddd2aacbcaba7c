"""The log's tiles and entry bundles (C2SP tlog-tiles) read from the store.

A tile's hashes are stored nodes (:mod:`greenreg.registry.tiles`): a tile is one range read of
the node table, whatever the size of the log; an entry bundle is one page of the log's entries,
each written as :func:`~greenreg.registry.log.event_leaf`. Both are answered only within the
signed size given (the latest checkpoint's), so a tile never shows a leaf no checkpoint covers.
"""

from __future__ import annotations

from collections.abc import Iterator

from greenreg.errors import NotFoundError
from greenreg.registry.log import event_leaf
from greenreg.registry.tiles import WIDTH, Tile, available, bundles_of, encode_bundle, tiles_of
from greenreg.storage.log_tables import LogTables


class LogTiles:
    def __init__(self, recorder: LogTables) -> None:
        self.recorder = recorder

    def read(self, tile: Tile, size: int) -> bytes | None:
        """The tile's bytes in a tree of ``size`` leaves, or ``None`` if that tree lacks it."""
        if not available(tile, size):
            return None
        if tile.level is None:
            return encode_bundle(self.entries(tile.start, tile.start + tile.width))
        hashes = self.recorder.nodes_between(tile.tree_level, tile.start, tile.start + tile.width)
        if len(hashes) != tile.width:
            raise LookupError(f"the log's node table lacks hashes of {tile.path}")
        return b"".join(hashes)

    def entries(self, start: int, stop: int) -> list[bytes]:
        """The entries (leaf data) at positions ``[start, stop)``."""
        found = list(self._entries(start, stop))
        if len(found) != stop - start:
            raise LookupError(f"the log lacks entries between {start} and {stop}")
        return found

    def _entries(self, start: int, stop: int) -> Iterator[bytes]:
        for entry in self.recorder.log_entries(start, stop):
            if entry.topic is None or entry.state is None:
                raise NotFoundError(
                    f"the store lacks the event the log names at position {entry.position}"
                )
            yield event_leaf(
                entry.originator_id, entry.originator_version, entry.topic, entry.state
            )

    def all(self, size: int) -> Iterator[tuple[Tile, bytes]]:
        """Every tile, then every entry bundle, of the tree of ``size`` leaves, with its bytes
        (the entries read in one pass)."""
        for tile in tiles_of(size):
            data = self.read(tile, size)
            assert data is not None  # noqa: S101 (tiles_of gives only tiles the tree has)
            yield tile, data
        batch: list[bytes] = []
        bundles, count = bundles_of(size), 0
        for entry in self._entries(0, size):
            batch.append(entry)
            count += 1
            if len(batch) == WIDTH or count == size:
                yield next(bundles), encode_bundle(batch)
                batch = []
        if count != size:
            raise LookupError(f"the log lacks entries between {count} and {size}")
