"""The auditor reads a tiled log (C2SP tlog-tiles): an export directory, or a registry or a
mirror by URL, which is first copied into a directory.

The layout (``docs/tiles.md``): ``checkpoint`` (the signed note), ``tile/<L>/<N>[.p/<W>]``,
``tile/entries/<N>[.p/<W>]`` and ``log-keys.json`` (the root-signed log key declarations). The
checkpoint's size says which tiles and bundles the log must have. :class:`TileSource` gives the
auditor the entries decoded from the bundles, and :meth:`TileSource.problems` what is wrong with
the files themselves: a missing or malformed file, an entry that is not an event leaf, a tile
hash that is not the one recomputed from the entries. The checkpoint's signature and root are
checked by the audit, as for a store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any
from uuid import UUID

from greenreg.audit.report import Problem
from greenreg.errors import GreenregError
from greenreg.registry.checkpoints import Checkpoint, parse_checkpoint
from greenreg.registry.log import leaf_hash, parse_event_leaf
from greenreg.registry.tiles import (
    WIDTH,
    EntryBundleError,
    Tile,
    bundles_of,
    decode_bundle,
    split_hashes,
    subtree_hash,
    tiles_of,
)
from greenreg.storage.log_tables import LogEntry, UnloggedEvent

CHECKPOINT = "checkpoint"
LOG_KEYS = "log-keys.json"


class TileSource:
    """A tiled log in ``directory``, read back for the auditor. With ``start`` (an incremental
    audit), only the entries from that position on are read and their bundles checked; the
    tiles of hashes are not (the audit recomputes the tree from its own frontier)."""

    def __init__(self, directory: Path, start: int = 0) -> None:
        self.directory = directory
        self.start = start
        path = directory / CHECKPOINT
        if not path.is_file():
            raise GreenregError(f"{directory} holds no '{CHECKPOINT}': not a tiled log")
        self.note = path.read_text(encoding="utf-8")
        try:
            self.checkpoint: Checkpoint = parse_checkpoint(self.note)[0]
        except GreenregError as error:
            raise GreenregError(f"the '{CHECKPOINT}' file is not a checkpoint: {error}") from None

    def size(self) -> int:
        return self.checkpoint.size

    def _read(self, tile: Tile) -> bytes | None:
        path = self.directory / tile.path
        return path.read_bytes() if path.is_file() else None

    def _bundles(self, start: int = 0) -> Iterator[tuple[Tile, list[bytes] | str]]:
        """Each bundle the checkpoint calls for (from the one holding ``start``): its entries,
        or what is wrong with it."""
        for tile in bundles_of(self.size()):
            if tile.start + tile.width <= start:
                continue
            data = self._read(tile)
            if data is None:
                yield tile, f"{tile.path} is missing"
                continue
            try:
                entries = decode_bundle(data)
            except EntryBundleError as error:
                yield tile, f"{tile.path}: {error}"
                continue
            if len(entries) != tile.width:
                yield tile, f"{tile.path} holds {len(entries)} entries, not {tile.width}"
                continue
            yield tile, entries

    def entries(self, start: int = 0, stop: int | None = None) -> Iterator[LogEntry]:
        """The log's entries in order (from ``start``, up to ``stop``), up to the first that
        cannot be read (the audit then finds the checkpoint covering entries the log lacks;
        :meth:`problems` says why)."""
        for tile, entries in self._bundles(start):
            if isinstance(entries, str):
                return
            for offset, data in enumerate(entries):
                position = tile.start + offset
                if position < start:
                    continue
                if stop is not None and position >= stop:
                    return
                try:
                    originator_id, version, topic, state = parse_event_leaf(data)
                except ValueError:
                    return
                yield LogEntry(position, originator_id, version, topic, state, None, None)

    @cached_property
    def _problems(self) -> list[Problem]:
        problems: list[Problem] = []
        leaves: list[bytes] = []
        for tile, entries in self._bundles(self.start):
            if isinstance(entries, str):
                problems.append(Problem("tiles", entries, tile.start))
                break
            for offset, data in enumerate(entries):
                try:
                    parse_event_leaf(data)
                except ValueError as error:
                    where = f"{tile.path} entry {offset}"
                    problems.append(Problem("tiles", f"{where}: {error}", tile.start + offset))
                leaves.append(leaf_hash(data))
        if self.start == 0 and len(leaves) == self.size():
            problems.extend(self._check_tiles(leaves))
        return problems

    def _check_tiles(self, leaves: list[bytes]) -> Iterator[Problem]:
        """Each tile against the hashes recomputed from the entries, level by level."""
        level_hashes, expected = leaves, dict[int | None, list[bytes]]()
        for tile in tiles_of(self.size()):
            if tile.level not in expected:
                if tile.level:
                    below = expected[tile.level - 1]
                    level_hashes = [
                        subtree_hash(below[i : i + WIDTH])
                        for i in range(0, len(below) - WIDTH + 1, WIDTH)
                    ]
                expected[tile.level] = level_hashes
            want = expected[tile.level][tile.start : tile.start + tile.width]
            data = self._read(tile)
            if data is None:
                yield Problem("tiles", f"{tile.path} is missing")
                continue
            try:
                found = split_hashes(data)
            except ValueError as error:
                yield Problem("tiles", f"{tile.path}: {error}")
                continue
            if len(found) != len(want):
                yield Problem("tiles", f"{tile.path} holds {len(found)} hashes, not {len(want)}")
                continue
            for i, (got, hashed) in enumerate(zip(found, want, strict=True)):
                if got != hashed:
                    covers = (tile.start + i) << tile.tree_level
                    yield Problem(
                        "tiles",
                        f"{tile.path}: hash {i} is not the hash recomputed from the entries "
                        f"(from position {covers})",
                        covers,
                    )
                    break

    def problems(self) -> list[Problem]:
        return self._problems

    def history(self, originator_id: UUID, upto: int) -> list[LogEntry]:
        return [
            e for e in self.entries() if e.originator_id == originator_id and e.position <= upto
        ]

    def unlogged(self, after: int = 0) -> list[UnloggedEvent]:
        return []

    def checkpoints(self, since: int = 0) -> list[tuple[int, str]]:
        return [(self.size(), self.note)] if self.size() >= since else []

    def log_keys(self) -> list[dict[str, Any]]:
        path = self.directory / LOG_KEYS
        if not path.is_file():
            return []
        keys: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        return keys


def mirror(
    url: str,
    directory: Path,
    progress: Callable[[int], None] | None = None,
    start: int = 0,
) -> int:
    """Copy the tiled log at ``url`` (a registry, or a static mirror) into ``directory``: the
    checkpoint, the log keys, and every tile and bundle the checkpoint calls for (with
    ``start``, only the bundles of the entries from that position on). A tile the server does
    not have is left out (the audit names it). Returns the checkpoint's size."""
    import httpx  # noqa: PLC0415 (only an audit of a registry over HTTP reads it: not at start)

    base = url.rstrip("/") + "/"
    directory.mkdir(parents=True, exist_ok=True)
    try:
        return _mirror(base, directory, progress, start)
    except httpx.HTTPError as error:
        raise GreenregError(f"cannot read the tiled log at {base}: {error}") from None


def _mirror(base: str, directory: Path, progress: Callable[[int], None] | None, start: int) -> int:
    import httpx  # noqa: PLC0415 (see mirror)

    with httpx.Client(base_url=base, timeout=60, follow_redirects=True) as client:

        def get(path: str) -> bytes | None:
            answer = client.get(path)
            if answer.status_code == httpx.codes.NOT_FOUND:
                return None
            answer.raise_for_status()
            return answer.content

        note = get(CHECKPOINT)
        if note is None:
            raise GreenregError(f"{base}{CHECKPOINT} is not there: not a tiled log")
        size = parse_checkpoint(note.decode("utf-8"))[0].size
        (directory / CHECKPOINT).write_bytes(note)
        keys = get(LOG_KEYS)
        if keys is not None:
            (directory / LOG_KEYS).write_bytes(keys)
        wanted = (
            [*tiles_of(size), *bundles_of(size)]
            if start == 0
            else [tile for tile in bundles_of(size) if tile.start + tile.width > start]
        )
        for done, tile in enumerate(wanted, 1):
            data = get(tile.path)
            if data is not None:
                target = directory / tile.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            if progress:
                progress(done)
    return size
