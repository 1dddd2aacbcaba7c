"""Merkle tree math for the transparency log: RFC 9162 §2.1, standard library only.

The log is a list of leaves in commit order, indexed from 0. Hashing is RFC 9162 §2.1.1:
``leaf_hash(d) = SHA-256(0x00 || d)`` and ``node_hash(l, r) = SHA-256(0x01 || l || r)``; the root of
the empty tree is ``SHA-256("")``.

Storage keeps the hash of every *complete* subtree as a node ``(level, index)``: level 0 holds the
leaf hashes, node ``(l, i)`` covers leaves ``[i * 2**l, (i + 1) * 2**l)``. Every hash this module
needs is then either a stored node or is computed from a few of them:

- the *frontier* of a tree of size ``n`` is one node per bit ``l`` set in ``n``,
  ``(l, (n >> l) - 1)``, largest first; the root is folded from it, right to left;
- a proof names the subtrees it needs (:func:`inclusion_ranges`, :func:`consistency_ranges`); each
  is split into complete subtrees (:func:`range_nodes`), so a proof reads O(log n) nodes at once.

Nothing here touches a database: callers pass a ``read`` function mapping node keys to hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from uuid import UUID

Node = tuple[int, int]
"""A complete subtree: ``(level, index)``."""
Reader = Callable[[Sequence[Node]], dict[Node, bytes]]
"""Reads stored node hashes by key; every requested key must be present."""

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof does not prove what it claims, or its arguments are out of range."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


LEAF_TAG = b"greenreg.event.v1\n"


def event_leaf(originator_id: UUID, version: int, topic: str, state: bytes) -> bytes:
    """The leaf bytes of a stored event: its row as the event store holds it, encoded so an
    inspector can recompute it from an export::

        "greenreg.event.v1\n"                 18 ASCII bytes (17 characters and a newline)
        originator id                          16 bytes (the UUID's bytes)
        originator version                     8 bytes, unsigned big-endian
        len(topic) || topic                    4 bytes unsigned big-endian, then UTF-8
        len(state) || state                    4 bytes unsigned big-endian, then the bytes

    ``state`` is the stored JSON (no compression, no cipher): it holds the signed act, its
    signature and key id, and the registry's recorded time, flags and bans.
    """
    return _leaf_head(b"", originator_id, version, topic, state) + state


def event_leaf_hash(originator_id: UUID, version: int, topic: str, state: bytes) -> bytes:
    """``leaf_hash(event_leaf(...))``, without copying the state twice to hash it."""
    hashed = hashlib.sha256(_leaf_head(b"\x00", originator_id, version, topic, state))
    hashed.update(state)
    return hashed.digest()


def _leaf_head(prefix: bytes, originator_id: UUID, version: int, topic: str, state: bytes) -> bytes:
    """``prefix`` and :func:`event_leaf`'s bytes up to the state's own."""
    encoded = topic.encode("utf-8")
    return b"".join(
        (
            prefix,
            LEAF_TAG,
            originator_id.bytes,
            version.to_bytes(8, "big"),
            len(encoded).to_bytes(4, "big"),
            encoded,
            len(state).to_bytes(4, "big"),
        )
    )


def parse_event_leaf(data: bytes) -> tuple[UUID, int, str, bytes]:
    """The (originator id, version, topic, state) of :func:`event_leaf`'s bytes; refuses bytes
    that are not exactly one event leaf (:class:`ValueError`)."""
    if not data.startswith(LEAF_TAG):
        raise ValueError("the entry does not start with the event leaf tag")
    at = len(LEAF_TAG)
    if len(data) < at + 28:
        raise ValueError("the entry ends inside its event id")
    originator_id = UUID(bytes=data[at : at + 16])
    version = int.from_bytes(data[at + 16 : at + 24], "big")
    at += 24
    fields = []
    for name in ("topic", "state"):
        if len(data) < at + 4:
            raise ValueError(f"the entry ends inside its {name}'s length")
        length = int.from_bytes(data[at : at + 4], "big")
        if len(data) < at + 4 + length:
            raise ValueError(f"the entry ends inside its {name}")
        fields.append(data[at + 4 : at + 4 + length])
        at += 4 + length
    if at != len(data):
        raise ValueError(f"{len(data) - at} bytes follow the entry's state")
    try:
        topic = fields[0].decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the entry's topic is not UTF-8") from None
    return originator_id, version, topic, fields[1]


# --- the frontier and appending -----------------------------------------------------------


def frontier_nodes(size: int) -> list[Node]:
    """The complete subtrees that make up a tree of ``size`` leaves, largest (leftmost) first."""
    return [
        (level, (size >> level) - 1)
        for level in reversed(range(size.bit_length()))
        if size >> level & 1
    ]


def root_from_frontier(hashes: Sequence[bytes]) -> bytes:
    """The root from the frontier's hashes, largest subtree first (RFC 9162 MTH)."""
    if not hashes:
        return EMPTY_ROOT
    root = hashes[-1]
    for left in reversed(hashes[:-1]):
        root = node_hash(left, root)
    return root


def append_leaves(
    size: int, frontier: dict[Node, bytes], leaves: Iterable[bytes]
) -> dict[Node, bytes]:
    """Append leaf hashes to a tree of ``size`` leaves whose frontier is given.

    Returns every new complete-subtree node (leaves included) to store. ``frontier`` must hold
    at least :func:`frontier_nodes` of ``size``; it is not modified.
    """
    known = dict(frontier)
    written: dict[Node, bytes] = {}
    for hashed in leaves:
        level, index, current = 0, size, hashed
        written[(0, index)] = known[(0, index)] = current
        while index & 1:
            current = node_hash(known[(level, index - 1)], current)
            level, index = level + 1, index >> 1
            written[(level, index)] = known[(level, index)] = current
        size += 1
    return written


class Frontier:
    """An in-memory growing tree that keeps only its frontier: the root at any size, cheaply.

    The auditor streams every leaf through one of these and compares the root with each
    checkpoint as the tree reaches the checkpoint's size.
    """

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (level, hash), largest first

    def append(self, hashed: bytes) -> None:
        level, current = 0, hashed
        while self._stack and self._stack[-1][0] == level:
            current = node_hash(self._stack.pop()[1], current)
            level += 1
        self._stack.append((level, current))
        self.size += 1

    def root(self) -> bytes:
        return root_from_frontier([h for _, h in self._stack])

    @property
    def stack(self) -> list[tuple[int, bytes]]:
        """The frontier's subtrees as ``(level, hash)``, largest first: what :meth:`restored`
        takes to go on appending."""
        return list(self._stack)

    @classmethod
    def restored(cls, size: int, stack: Sequence[tuple[int, bytes]]) -> Frontier:
        """The frontier of a tree of ``size`` leaves from its :attr:`stack`; refuses a stack
        that is not the frontier of a tree of that size (:class:`ProofError`)."""
        levels = [level for level, _ in frontier_nodes(size)]
        if [level for level, _ in stack] != levels:
            raise ProofError(f"these subtrees are not the frontier of a tree of {size} leaves")
        for _, hashed in stack:
            _check_hash(hashed)
        frontier = cls()
        frontier.size, frontier._stack = size, list(stack)
        return frontier


# --- which subtrees a proof needs ----------------------------------------------------------

Range = tuple[int, int]
"""Leaves ``[start, end)`` of a subtree whose hash a proof contains."""


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (RFC 9162 §2.1.1's ``k``)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The subtrees of RFC 9162 PATH(index, D[0:size]), in proof order (leaf upwards)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    ranges: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return list(reversed(ranges))


def consistency_ranges(old: int, new: int) -> list[Range]:
    """The subtrees of RFC 9162 PROOF(old, D[0:new]), in proof order."""
    if not 0 < old <= new:
        raise ProofError(f"no consistency proof from size {old} to size {new}")
    ranges: list[Range] = []
    start, end, whole = 0, new, True
    m = old
    while True:
        n = end - start
        if m == n:
            if not whole:
                ranges.append((start, end))
            break
        k = _split(n)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, whole = start + k, m - k, False
    return list(reversed(ranges))


def range_nodes(start: int, end: int) -> list[Node]:
    """The complete subtrees that tile ``[start, end)`` as the Merkle tree splits it."""
    nodes: list[Node] = []
    while start < end:
        n = end - start
        if n & (n - 1) == 0 and start % n == 0:
            nodes.append((n.bit_length() - 1, start // n))
            break
        k = _split(n)
        nodes.append((k.bit_length() - 1, start // k))
        start += k
    return nodes


def range_hash(nodes: Sequence[Node], hashes: dict[Node, bytes]) -> bytes:
    return root_from_frontier([hashes[node] for node in nodes])


def _hashes_of(ranges: list[Range], read: Reader) -> list[bytes]:
    tiles = [range_nodes(start, end) for start, end in ranges]
    hashes = read(sorted({node for tile in tiles for node in tile}))
    return [range_hash(tile, hashes) for tile in tiles]


def inclusion_proof(index: int, size: int, read: Reader) -> list[bytes]:
    return _hashes_of(inclusion_ranges(index, size), read)


def consistency_proof(old: int, new: int, read: Reader) -> list[bytes]:
    return _hashes_of(consistency_ranges(old, new), read)


def tree_root(size: int, read: Reader) -> bytes:
    nodes = frontier_nodes(size)
    hashes = read(nodes)
    return root_from_frontier([hashes[node] for node in nodes])


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) -----------------------------------------


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        _check_hash(p)
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the inclusion proof is too short for the tree")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise :class:`ProofError` unless ``proof`` shows leaf ``index`` in the tree ``root``."""
    _check_hash(leaf)
    _check_hash(root)
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError(f"the inclusion proof for leaf {index} does not lead to the root")


def verify_consistency(  # noqa: PLR0912 (RFC 9162 §2.1.4.2, step by step)
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise :class:`ProofError` unless the tree ``old_root`` of size ``old`` is a prefix of the
    tree ``new_root`` of size ``new``."""
    _check_hash(old_root)
    _check_hash(new_root)
    if old < 0 or new < old:
        raise ProofError(f"size {old} cannot grow into size {new}")
    if old == new:
        if proof or old_root != new_root:
            raise ProofError("trees of equal size are consistent only if their roots are equal")
        return
    if old == 0:
        if proof:
            raise ProofError("a consistency proof from the empty tree is empty")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    for p in proof:
        _check_hash(p)
    path = list(proof)
    if old & (old - 1) == 0:  # a power of two: the old root is the first node of the path
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the consistency proof is too short")
    if fr != old_root or sr != new_root:
        raise ProofError(f"the log of size {old} is not a prefix of the log of size {new}")


def _check_hash(value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"a hash has {HASH_SIZE} bytes, not {len(value)}")
