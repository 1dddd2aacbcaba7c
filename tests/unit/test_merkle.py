"""The Merkle math against the published RFC 6962 / 9162 test vectors, and against a naive tree.

The vectors come from the certificate-transparency Go code, now transparency-dev/merkle:
``testonly/constants.go`` (the eight leaf inputs, every complete-subtree node hash and the root
of every tree size) and ``proof/verify_test.go`` (inclusion and consistency proofs). Leaf numbers
in ``verify_test.go``'s inclusion vectors are 1-based; here they are the 0-based indexes.
"""

from __future__ import annotations

import hashlib
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greenreg.registry.log import (
    EMPTY_ROOT,
    Frontier,
    Node,
    ProofError,
    append_leaves,
    consistency_proof,
    event_leaf,
    event_leaf_hash,
    frontier_nodes,
    inclusion_proof,
    leaf_hash,
    node_hash,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [
    bytes.fromhex(h)
    for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
              "606162636465666768696a6b6c6d6e6f"]
]  # fmt: skip
NODES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [  # (0-based leaf index, tree size, proof)
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (0, 1, []),
]  # fmt: skip
CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip


class Store:
    """Stored nodes as the database keeps them, built by appending leaves in batches."""

    def __init__(self) -> None:
        self.nodes: dict[Node, bytes] = {}
        self.size = 0
        self.reads = 0

    def append(self, leaves: list[bytes]) -> None:
        frontier = {n: self.nodes[n] for n in frontier_nodes(self.size)}
        self.nodes.update(append_leaves(self.size, frontier, leaves))
        self.size += len(leaves)

    def read(self, keys: object) -> dict[Node, bytes]:
        self.reads += 1
        return {k: self.nodes[k] for k in keys}  # type: ignore[attr-defined]


def vector_store(batches: list[int]) -> Store:
    store, start = Store(), 0
    for size in batches:
        store.append([leaf_hash(x) for x in LEAVES[start : start + size]])
        start += size
    return store


def test_every_complete_subtree_hash_is_the_published_one() -> None:
    store = vector_store([3, 1, 4])
    expected = {
        (lvl, i): bytes.fromhex(h) for lvl, row in enumerate(NODES) for i, h in enumerate(row)
    }
    assert store.nodes == expected


@pytest.mark.parametrize("size", range(9))
def test_the_root_of_every_size_is_the_published_one(size: int) -> None:
    store = vector_store([1] * 8)
    frontier = Frontier()
    for leaf in LEAVES[:size]:
        frontier.append(leaf_hash(leaf))
    assert tree_root(size, store.read).hex() == ROOTS[size]
    assert frontier.root().hex() == ROOTS[size]
    assert EMPTY_ROOT.hex() == ROOTS[0]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_are_the_published_ones_and_verify(
    index: int, size: int, proof: list[str]
) -> None:
    store = vector_store([2, 2, 2, 2])
    made = inclusion_proof(index, size, store.read)
    assert [p.hex() for p in made] == proof
    root = bytes.fromhex(ROOTS[size])
    verify_inclusion(index, size, leaf_hash(LEAVES[index]), made, root)


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_are_the_published_ones_and_verify(
    old: int, new: int, proof: list[str]
) -> None:
    store = vector_store([5, 3])
    made = consistency_proof(old, new, store.read)
    assert [p.hex() for p in made] == proof
    verify_consistency(old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]), made)


def test_a_proof_reads_the_store_once() -> None:
    store = vector_store([8])
    store.reads = 0
    inclusion_proof(5, 7, store.read)
    consistency_proof(3, 7, store.read)
    assert store.reads == 2


def _flipped(proof: list[bytes], i: int) -> list[bytes]:
    wrong = list(proof)
    wrong[i] = bytes([wrong[i][0] ^ 8]) + wrong[i][1:]
    return wrong


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION[:4])
def test_a_corrupted_inclusion_proof_fails(index: int, size: int, proof: list[str]) -> None:
    """The probes of ``verify_test.go``'s ``corruptInclusionProof``."""
    good = [bytes.fromhex(p) for p in proof]
    root, leaf = bytes.fromhex(ROOTS[size]), leaf_hash(LEAVES[index])
    some = hashlib.sha256(b"some").digest()
    probes = [
        (index - 1, size, leaf, good, root),
        (index + 1, size, leaf, good, root),
        (index ^ 2, size, leaf, good, root),
        (index, size * 2, leaf, good, root),
        (index, size // 2, leaf, good, root),
        (index, size, hashlib.sha256(b"wrong leaf").digest(), good, root),
        (index, size, leaf, good, EMPTY_ROOT),
        (index, size, leaf, good, some),
        (index, size, leaf, [*good, root], root),
        (index, size, leaf, [root, *good], root),
        (index, size, leaf, good[:-1], root),
        (index, size, leaf, [good[0], some, *good[1:]], root),
        *((index, size, leaf, _flipped(good, i), root) for i in range(len(good))),
    ]
    for probe in probes:
        with pytest.raises(ProofError):
            verify_inclusion(*probe)


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY[1:])
def test_a_corrupted_consistency_proof_fails(old: int, new: int, proof: list[str]) -> None:
    """The probes of ``verify_test.go``'s ``corruptConsistencyProof``."""
    good = [bytes.fromhex(p) for p in proof]
    r1, r2 = bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new])
    wrong = hashlib.sha256(b"wrong root").digest()
    probes = [
        (old - 1, new, r1, r2, good),
        (old + 1, new, r1, r2, good),
        (old ^ 2, new, r1, r2, good),
        (old, new * 2, r1, r2, good),
        (old, new // 2, r1, r2, good),
        (old, new, wrong, r2, good),
        (old, new, r1, wrong, good),
        (old, new, r2, r1, good),
        (old, new, r1, r2, []),
        (old, new, r1, r2, [*good, r1]),
        (old, new, r1, r2, [*good, r2]),
        (old, new, r1, r2, [r1, *good]),
        (old, new, r1, r2, [r2, *good]),
        (old, new, r1, r2, [good[0], *good]),
        (old, new, r1, r2, good[:-1]),
        *((old, new, r1, r2, _flipped(good, i)) for i in range(len(good))),
    ]
    for probe in probes:
        with pytest.raises(ProofError):
            verify_consistency(*probe)


def naive_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 MTH written as the RFC writes it."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(naive_root(leaves[:k]), naive_root(leaves[k:]))


def test_every_proof_up_to_40_leaves_agrees_with_the_rfc_definition() -> None:
    data = [i.to_bytes(2, "big") for i in range(40)]
    store = Store()
    for start in range(0, 40, 3):
        store.append([leaf_hash(x) for x in data[start : start + 3]])
    for size in range(1, 41):
        root = naive_root(data[:size])
        assert tree_root(size, store.read) == root
        for index in range(size):
            verify_inclusion(
                index, size, leaf_hash(data[index]), inclusion_proof(index, size, store.read), root
            )
        for old in range(1, size + 1):
            proof = consistency_proof(old, size, store.read)
            verify_consistency(old, size, naive_root(data[:old]), root, proof)


@given(
    st.uuids(),
    st.integers(min_value=0, max_value=2**64 - 1),
    st.text(max_size=60),
    st.binary(max_size=3000),
)
def test_an_events_leaf_hash_is_the_hash_of_its_leaf(
    originator: UUID, version: int, topic: str, state: bytes
) -> None:
    assert event_leaf_hash(originator, version, topic, state) == leaf_hash(
        event_leaf(originator, version, topic, state)
    )
