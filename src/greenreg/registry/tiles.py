"""The log as C2SP tlog-tiles: tile paths, which tiles a tree has, tile hashes, entry bundles.

A tile is 256 consecutive hashes of one level of the Merkle tree, 8 tree levels apart: the hash
``i`` of tile ``n`` at tile level ``l`` is the RFC 9162 hash of leaves
``[(n * 256 + i) * 256**l, (n * 256 + i + 1) * 256**l)``, that is the stored complete subtree
``(8 * l, n * 256 + i)`` of :mod:`greenreg.registry.log`. A tree of ``size`` leaves has
``size >> 8l`` hashes at tile level ``l``: full tiles of 256, then one partial tile of the rest
(none when the rest is 0).

Paths (https://c2sp.org/tlog-tiles): ``tile/<l>/<n>[.p/<w>]`` and ``tile/entries/<n>[.p/<w>]``,
``<n>`` written in 3-digit path elements, all but the last prefixed with ``x``
(1234067 -> ``x001/x234/067``). An entry bundle holds each entry as a 2-byte big-endian length
and the entry's bytes; an entry is the leaf data as the log hashes it (``leaf_hash(entry)``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from greenreg.registry.log import HASH_SIZE, node_hash

HEIGHT = 8
WIDTH = 1 << HEIGHT
MAX_LEVEL = 63
MAX_ENTRY = 0xFFFF


class EntryBundleError(ValueError):
    """An entry bundle that does not hold what it should (or an entry too long for one)."""


@dataclass(frozen=True)
class Tile:
    """Tile ``index`` of tile level ``level`` (``None``: the entry bundle), ``width`` hashes
    (or entries) wide; 256 is a full tile."""

    level: int | None
    index: int
    width: int = WIDTH

    @property
    def full(self) -> bool:
        return self.width == WIDTH

    @property
    def path(self) -> str:
        level = "entries" if self.level is None else str(self.level)
        suffix = "" if self.full else f".p/{self.width}"
        return f"tile/{level}/{index_path(self.index)}{suffix}"

    @property
    def start(self) -> int:
        """The first hash (or entry) of the tile, counted along its level."""
        return self.index * WIDTH

    @property
    def tree_level(self) -> int:
        """The Merkle tree level of the tile's hashes (entry bundles: 0, the leaves)."""
        return HEIGHT * (self.level or 0)


def index_path(index: int) -> str:
    """``index`` in 3-digit path elements: 1234067 -> ``x001/x234/067``."""
    if index < 0:
        raise ValueError(f"a tile index is not negative: {index}")
    elements = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        elements.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(elements))


_PATH = re.compile(
    r"(?P<level>entries|0|[1-9][0-9]?)/(?P<index>(?:x[0-9]{3}/)*[0-9]{3})"
    r"(?:\.p/(?P<width>[1-9][0-9]{0,2}))?"
)


def parse_tile_path(path: str) -> Tile | None:
    """The tile ``path`` names (without a leading ``tile/``: ``0/x001/067.p/3``), or ``None`` if it
    is not the one canonical spelling of a tile: the level 0..63 or ``entries``, the index in
    3-digit elements with no leading ``x000``, a width 1..255, no leading zeros."""
    match = _PATH.fullmatch(path)
    if match is None or match["index"].startswith("x000/"):
        return None
    width = int(match["width"] or WIDTH)
    level = None if match["level"] == "entries" else int(match["level"])
    if width > WIDTH or (match["width"] and width == WIDTH) or (level or 0) > MAX_LEVEL:
        return None
    return Tile(level, int(match["index"].replace("x", "").replace("/", "")), width)


def hashes_at(level: int, size: int) -> int:
    """How many hashes tile level ``level`` has in a tree of ``size`` leaves."""
    return size >> (HEIGHT * level)


def available(tile: Tile, size: int) -> bool:
    """Whether a tree of ``size`` leaves has the hashes (or entries) of ``tile``: a full tile
    once its 256 are complete, a partial tile of width ``w`` once its first ``w`` are."""
    return tile.start + tile.width <= hashes_at(tile.level or 0, size)


def tiles_of(size: int) -> Iterator[Tile]:
    """The tiles of a tree of ``size`` leaves, level by level, full ones then the partial one;
    the entry bundles are those of level 0 with ``level=None``."""
    level = 0
    while hashes_at(level, size):
        count = hashes_at(level, size)
        for index in range(count // WIDTH):
            yield Tile(level, index)
        if count % WIDTH:
            yield Tile(level, count // WIDTH, count % WIDTH)
        level += 1


def bundles_of(size: int) -> Iterator[Tile]:
    """The entry bundles of a tree of ``size`` leaves."""
    for tile in tiles_of(size):
        if tile.level == 0:
            yield Tile(None, tile.index, tile.width)


def subtree_hash(hashes: Sequence[bytes]) -> bytes:
    """The hash over a full tile's 256 hashes: its hash at the tile level above."""
    if len(hashes) != WIDTH:
        raise ValueError("only a full tile hashes into the level above")
    level = list(hashes)
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def split_hashes(data: bytes) -> list[bytes]:
    if len(data) % HASH_SIZE:
        raise ValueError(f"{len(data)} bytes are not a whole number of hashes")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def encode_bundle(entries: Sequence[bytes]) -> bytes:
    """Entries as a bundle: each a 2-byte big-endian length, then its bytes."""
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY:
            raise EntryBundleError(
                f"an entry of {len(entry)} bytes is longer than an entry bundle carries "
                f"({MAX_ENTRY} bytes)"
            )
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def decode_bundle(data: bytes) -> list[bytes]:
    """A bundle's entries; refuses a bundle cut short inside an entry."""
    entries, at = [], 0
    while at < len(data):
        if at + 2 > len(data):
            raise EntryBundleError(f"the bundle ends inside an entry's length at byte {at}")
        length = int.from_bytes(data[at : at + 2], "big")
        if at + 2 + length > len(data):
            raise EntryBundleError(f"the bundle ends inside the entry at byte {at}")
        entries.append(data[at + 2 : at + 2 + length])
        at += 2 + length
    return entries
