"""The witnesses' step of a receipt's chain (docs/receipts.md, "Witness cosignatures").

A receipt is signed once, at the checkpoint its answer was read at; witnesses cosign checkpoints
afterwards, a second or a minute later. So the receipt file carries, unsigned beside the signed
receipt, the **witnessed checkpoint**::

    "witnessed": {"checkpoint": "<a checkpoint note: the log's signature line, then the
                                  witnesses' cosignature lines>",
                  "consistency": ["<hex>", ...]}

the latest checkpoint the registry's witnesses cosigned as its policy requires, and the RFC 9162
consistency proof from the receipt's checkpoint to it (empty when they are the same). Nothing in
it needs a signature of its own: the note is signed by the log key and cosigned by the witnesses,
and the proof is checked against both roots. A witness cosigns only a tree that extends the one
it cosigned before, so a receipt from a history the witnesses never saw (a split view, a fork)
cannot be tied to a witnessed checkpoint.

:func:`check_witnessed_receipt` checks it: the note is signed by the log key, of the same log,
not smaller than the receipt's checkpoint, the proof holds, and the note has the cosignatures
a policy requires (k of n witness keys). A receipt file without ``witnessed`` is held to the
policy by its own checkpoint, which carries no cosignature unless the registry had them when
it signed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from greenreg.errors import ActFormatError, GreenregError, NotFoundError, SignatureError
from greenreg.receipts import read_receipt
from greenreg.registry.checkpoints import Checkpoint, open_checkpoint, parse_checkpoint
from greenreg.registry.log import ProofError, verify_consistency
from greenreg.witness.cosignature import WitnessPolicy, WitnessPolicyError, check_witnessed


class WitnessedError(SignatureError):
    """The witnessed checkpoint of a receipt file does not cover its receipt, or the witnesses'
    cosignatures fall short of the policy."""


@dataclass(frozen=True)
class Witnessing:
    """What the witnesses' step found: the witnessed tree's size, and which of the policy's
    witnesses cosigned it (empty without a policy)."""

    size: int
    witnesses: list[str]


def fetch_hint(size: int) -> str:
    return (
        f"fetch it from the registry (GET /api/v1/log/witnessed?size={size}, or "
        "'greenreg receipt witnessed FILE --registry URL') once its witnesses have cosigned"
    )


def check_witnessed_receipt(
    checkpoint: Checkpoint,
    note: str,
    witnessed: dict[str, Any] | None,
    log_public_key: bytes,
    policy: WitnessPolicy | None,
) -> Witnessing | None:
    """Check the receipt's ``witnessed`` member against its checkpoint (``checkpoint``, signed
    as ``note``) and, with a ``policy``, the cosignatures; ``None`` when there is nothing to
    check (no ``witnessed`` and no policy). Raise :class:`WitnessedError` saying what is wrong
    (or :class:`ActFormatError` for a malformed member)."""
    if witnessed is None:
        if policy is None:
            return None
        return Witnessing(checkpoint.size, _policy_met(note, checkpoint.size, policy, True))
    cosigned, tree, hashes = _read(witnessed)
    try:
        open_checkpoint(cosigned, log_public_key)
    except GreenregError as error:
        raise WitnessedError(
            f"the witnessed checkpoint is not signed by the receipt's log key: {error}"
        ) from None
    _check_covers(checkpoint, tree, hashes)
    names = [] if policy is None else _policy_met(cosigned, tree.size, policy, False)
    return Witnessing(tree.size, names)


def add_witnessed(text: str, witnessed: dict[str, Any]) -> str:
    """The receipt file ``text`` with ``witnessed`` (as the registry answers it) in it, once
    checked to cover the receipt's checkpoint (no key is needed for that: ``greenreg receipt
    verify`` checks the signatures); the signed receipt is kept byte for byte."""
    read = read_receipt(text)
    checkpoint, _ = parse_checkpoint(str(read.receipt.get("act", {}).get("checkpoint", "")))
    _, tree, hashes = _read(witnessed)
    _check_covers(checkpoint, tree, hashes)
    data = json.loads(text)
    if "act" in data:  # the signed receipt alone, as a QR code carries it
        data = {"document": text.strip(), "key_id": data.get("key_id"), "log_key": None}
    data["witnessed"] = {
        "checkpoint": witnessed["checkpoint"],
        "consistency": witnessed["consistency"],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def fetch_witnessed(registry_url: str, size: int) -> dict[str, Any]:
    """The registry's witnessed checkpoint covering a receipt's checkpoint of ``size`` leaves
    (``GET /api/v1/log/witnessed?size=N``); refused saying why, as the registry says it."""
    import httpx  # noqa: PLC0415 (only a receipt checked against a registry's witnesses asks)

    url = registry_url.rstrip("/") + "/api/v1/log/witnessed"
    try:
        answer = httpx.get(url, params={"size": size}, timeout=30, follow_redirects=True)
    except httpx.HTTPError as error:
        raise GreenregError(f"cannot reach the registry at {registry_url}: {error}") from None
    try:
        data = answer.json()
    except ValueError:
        data = {}
    if answer.status_code == httpx.codes.NOT_FOUND:
        raise NotFoundError(str(data.get("detail") or f"{url} is not there"))
    if answer.status_code != httpx.codes.OK or not isinstance(data.get("witnessed"), dict):
        detail = data.get("detail") if isinstance(data, dict) else None
        raise GreenregError(
            f"the registry answered {answer.status_code}"
            + (f": {detail}" if detail else ", not a witnessed checkpoint")
        )
    found: dict[str, Any] = data["witnessed"]
    return found


def _read(witnessed: dict[str, Any]) -> tuple[str, Checkpoint, list[bytes]]:
    note, proof = witnessed.get("checkpoint"), witnessed.get("consistency")
    if not isinstance(note, str) or not isinstance(proof, list):
        raise ActFormatError(
            "a receipt file's 'witnessed' has 'checkpoint' (a signed note) and 'consistency' "
            "(hex hashes)"
        )
    try:
        hashes = [bytes.fromhex(str(h)) for h in proof]
    except ValueError as error:
        raise ActFormatError(f"the witnessed consistency proof is not hex: {error}") from None
    try:
        tree, _ = parse_checkpoint(note)
    except GreenregError as error:
        raise ActFormatError(f"the witnessed checkpoint is not a checkpoint: {error}") from None
    return note, tree, hashes


def _check_covers(checkpoint: Checkpoint, tree: Checkpoint, hashes: list[bytes]) -> None:
    """The witnessed ``tree`` extends the receipt's ``checkpoint`` (``hashes``: the proof)."""
    if tree.origin != checkpoint.origin:
        raise WitnessedError(
            f"the witnessed checkpoint is of log {tree.origin!r}, the receipt's of "
            f"{checkpoint.origin!r}"
        )
    if tree.size < checkpoint.size:
        raise WitnessedError(
            f"the witnessed checkpoint has {tree.size} entries, fewer than the receipt's "
            f"{checkpoint.size}: it does not cover the receipt"
        )
    try:
        verify_consistency(checkpoint.size, tree.size, checkpoint.root, tree.root, hashes)
    except ProofError as error:
        raise WitnessedError(
            f"the receipt's checkpoint of size {checkpoint.size} is not part of the witnessed "
            f"checkpoint of size {tree.size} ({error}): the registry has shown two different "
            "histories; keep this file as evidence"
        ) from None


def _policy_met(note: str, size: int, policy: WitnessPolicy, own: bool) -> list[str]:
    try:
        return check_witnessed(note, policy)
    except WitnessPolicyError as error:
        hint = (
            f"; this receipt carries no witnessed checkpoint yet: {fetch_hint(size)}" if own else ""
        )
        raise WitnessedError(f"{error}{hint}") from None
