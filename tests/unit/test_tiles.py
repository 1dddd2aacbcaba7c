"""Tile paths, the tiles of a tree and entry bundles, as C2SP tlog-tiles spells them."""

from __future__ import annotations

from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greenreg.registry.log import event_leaf, parse_event_leaf
from greenreg.registry.tiles import (
    EntryBundleError,
    Tile,
    available,
    bundles_of,
    decode_bundle,
    encode_bundle,
    index_path,
    parse_tile_path,
    tiles_of,
)


@pytest.mark.parametrize(
    ("index", "path"),
    [
        (0, "000"),
        (67, "067"),
        (999, "999"),
        (1000, "x001/000"),
        (1234067, "x001/x234/067"),  # the example of tlog-tiles and of Go's sumdb/tlog
        (1234567890, "x001/x234/x567/890"),
    ],
)
def test_index_paths_are_written_in_three_digit_elements(index: int, path: str) -> None:
    assert index_path(index) == path
    assert parse_tile_path(f"0/{path}") == Tile(0, index)


def test_tile_paths_name_level_index_and_width() -> None:
    assert Tile(0, 1234067).path == "tile/0/x001/x234/067"
    assert Tile(2, 5, 17).path == "tile/2/005.p/17"
    assert Tile(None, 1000, 3).path == "tile/entries/x001/000.p/3"
    assert parse_tile_path("entries/x001/000.p/3") == Tile(None, 1000, 3)
    assert parse_tile_path("63/000.p/255") == Tile(63, 0, 255)


@pytest.mark.parametrize(
    "path",
    [
        "",
        "0",
        "0/",
        "0/67",  # not three digits
        "0/0067",
        "0/x067",  # the last element has no x
        "0/001/067",  # the others have
        "0/x000/067",  # 67 has one spelling
        "00/000",  # the level has no leading zero
        "64/000",  # nor is above 63
        "-1/000",
        "0/000.p/0",  # widths are 1..255
        "0/000.p/256",
        "0/000.p/08",
        "0/000.p/",
        "0/000.p",
        "0/000/",
        "0/000.p/3/",
        "entry/000",
        "0/٠٠٠",  # Arabic-Indic digits are digits to int(), not here
        "0/ 000",
        "0/000 ",
        "0/../000",
    ],
)
def test_anything_but_the_canonical_spelling_names_no_tile(path: str) -> None:
    assert parse_tile_path(path) is None


@given(
    st.one_of(st.none(), st.integers(0, 63)),
    st.integers(0, 10**12),
    st.integers(1, 256),
)
def test_every_tile_reads_back_from_its_path(level: int | None, index: int, width: int) -> None:
    tile = Tile(level, index, width)
    assert parse_tile_path(tile.path.removeprefix("tile/")) == tile


def test_a_tree_of_70000_leaves_has_the_tiles_the_specification_lists() -> None:
    tiles = list(tiles_of(70_000))
    full = [t for t in tiles if t.full]
    partial = [t for t in tiles if not t.full]
    assert [t.level for t in full].count(0) == 273
    assert [t.level for t in full].count(1) == 1
    assert partial == [Tile(0, 273, 112), Tile(1, 1, 17), Tile(2, 0, 1)]
    assert list(tiles_of(256)) == [Tile(0, 0), Tile(1, 0, 1)]
    assert list(tiles_of(0)) == []
    assert list(bundles_of(513)) == [Tile(None, 0), Tile(None, 1), Tile(None, 2, 1)]


def test_a_tree_has_a_tile_once_it_has_its_hashes() -> None:
    assert available(Tile(0, 0, 5), 5)
    assert not available(Tile(0, 0, 6), 5)
    assert not available(Tile(0, 0), 255)
    assert available(Tile(0, 0), 256)
    assert available(Tile(0, 0, 3), 256)  # an earlier partial tile stays
    assert not available(Tile(1, 0), 256 * 255)
    assert available(Tile(1, 0, 255), 256 * 255)
    assert available(Tile(None, 1, 1), 257)
    assert not available(Tile(None, 1, 2), 257)


def test_entry_bundles_are_length_prefixed_entries() -> None:
    entries = [b"", b"a", b"\x00" * 300, b"x" * 0xFFFF]
    bundle = encode_bundle(entries)
    assert bundle[:5] == b"\x00\x00\x00\x01a"
    assert decode_bundle(bundle) == entries
    with pytest.raises(EntryBundleError, match="longer than an entry bundle carries"):
        encode_bundle([b"x" * 0x10000])
    with pytest.raises(EntryBundleError, match="inside the entry"):
        decode_bundle(bundle[:-1])
    with pytest.raises(EntryBundleError, match="inside an entry's length"):
        decode_bundle(b"\x00\x01a\x00")


def test_an_entry_reads_back_as_the_event_it_was_made_of() -> None:
    originator = UUID("12345678-1234-5678-1234-567812345678")
    leaf = event_leaf(originator, 7, "greenreg.events.vocabulary:UnitRegistered", b'{"a":"\xe5"}')
    assert parse_event_leaf(leaf) == (
        originator,
        7,
        "greenreg.events.vocabulary:UnitRegistered",
        b'{"a":"\xe5"}',
    )
    for broken, why in [
        (leaf + b"\x00", "1 bytes follow"),
        (leaf[:-1], "ends inside its state"),
        (leaf[:30], "ends inside its event id"),
        (b"x" + leaf[1:], "leaf tag"),
    ]:
        with pytest.raises(ValueError, match=why):
            parse_event_leaf(broken)
