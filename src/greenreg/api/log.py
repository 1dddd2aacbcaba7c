"""REST: the transparency log for inspectors: checkpoints, proofs and the keys to check them.

    GET /api/v1/log/checkpoint                      the latest signed checkpoint (JSON, or the
                                                    C2SP note as text/plain: ?format=note or
                                                    Accept: text/plain)
    GET /api/v1/log/checkpoints?after=N&limit=M     signed checkpoints of size > N, oldest first
    GET /api/v1/log/inclusion?event=ID&size=M       the event is leaf ``position`` of tree M
    GET /api/v1/log/inclusion?position=N&size=M     (size: a signed size; default the latest)
    GET /api/v1/log/consistency?first=N&second=M    tree N is a prefix of tree M
    GET /api/v1/log/keys                            root key, log keys, authorities' keys
    GET /api/v1/log/log-key?key_id=K&size=M         the root's declaration of log key K (a log
                                                    entry) and its inclusion in tree M: the
                                                    log key proof of docs/receipts.md
    GET /api/v1/log/witnesses                       the witness policy: witnesses' keys and
                                                    URLs, how many must cosign
    GET /api/v1/log/witnessed?size=N                the latest checkpoint that meets the policy,
                                                    cosigned, with the consistency proof from
                                                    tree N: a receipt file's ``witnessed``

A checkpoint is served with the witnesses' cosignatures the registry holds for it (C2SP
tlog-cosignature lines after the log's signature in the note; listed in JSON);
``?witnessed=true`` asks for the latest checkpoint that meets the witness policy (without one: the
latest a witness cosigned) instead of the latest.

Hashes are lowercase hex; a checkpoint's root is also given in base64 as its note writes it.
Positions are leaf indexes from 0. An inspector checks a proof with the log public key (from
the root-signed declaration in ``/log/keys``) and :func:`greenreg.registry.log.verify_inclusion`
or ``verify_consistency``. An unknown event or an unsigned size is 404; a size or position
outside the log is 422.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from greenreg.api import examples
from greenreg.api.answers import (
    CheckpointAnswer,
    CheckpointsAnswer,
    ConsistencyAnswer,
    InclusionAnswer,
    KeysAnswer,
    LogKeyAnswer,
    WitnessedAnswer,
    WitnessesAnswer,
)
from greenreg.api.encoding import answer, version_header
from greenreg.api.problems import documented
from greenreg.api.reading import Reads
from greenreg.errors import NotFoundError
from greenreg.events.signing import b64encode
from greenreg.registry.application import Registry
from greenreg.registry.authority import ROOT, Authority
from greenreg.registry.checkpoints import verifier_key
from greenreg.storage.queries import (
    MAX_CHECKPOINTS,
    InclusionProof,
    LogRangeError,
    SignedCheckpoint,
    TransparencyLog,
    parse_event_id,
)
from greenreg.witness.submitter import WitnessConfig

LOG_REFUSALS = documented(
    {
        404: "The event is not in the log, or no checkpoint was signed at that size.",
        422: "A size or position outside the log, or a malformed parameter.",
    }
)


def checkpoint_body(checkpoint: SignedCheckpoint) -> dict[str, Any]:
    return {
        "origin": checkpoint.origin,
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash,
        "root_base64": checkpoint.root_base64,
        "key_id": checkpoint.key_id,
        "note": checkpoint.note,
    }


def inclusion_body(proof: InclusionProof) -> dict[str, Any]:
    return {
        "event_id": proof.event_id,
        "position": proof.position,
        "tree_size": proof.checkpoint.tree_size,
        "leaf_hash": proof.leaf_hash,
        "hashes": proof.hashes,
        "checkpoint": checkpoint_body(proof.checkpoint),
    }


def authority_keys(authority: Authority) -> dict[str, Any]:
    return {
        "code": authority.code,
        "name": authority.name,
        "jurisdiction": authority.jurisdiction,
        "keys": [
            {
                "key_id": key.key_id,
                "public_key": b64encode(key.public_key),
                "valid_from": key.valid_from.isoformat(),
                "valid_until": key.valid_until.isoformat() if key.valid_until else None,
                "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
            }
            for key in authority.keys.values()
        ],
    }


def cosigned_body(checkpoint: SignedCheckpoint, log: TransparencyLog) -> dict[str, Any]:
    """The checkpoint with the witnesses' cosignatures the registry holds for it."""
    found = log.recorder.cosignatures(checkpoint.tree_size)
    return checkpoint_body(checkpoint) | {
        "cosignatures": [{"witness": w, "line": line} for w, line in found],
        "cosigned_note": log.cosigned_note(checkpoint),
    }


def not_witnessed(log: TransparencyLog, size: int | None) -> NotFoundError:
    """Why there is no witnessed checkpoint to give, in words."""
    policy = log.policy
    if policy is None:
        return NotFoundError(
            "this registry publishes no witness policy: its checkpoints carry the log's "
            "signature alone"
        )
    latest = log.witnessed_size()
    wanted = f"of size {size} or larger " if size is not None else ""
    return NotFoundError(
        f"no checkpoint {wanted}has yet been cosigned by {policy.required} of the "
        f"{len(policy.keys)} witnesses the policy names"
        + (f" (the latest that has: size {latest})" if latest is not None else "")
        + ": the witnesses cosign new checkpoints within seconds; ask again shortly"
    )


def log_router(  # noqa: PLR0915 (one short closure per route)
    reads: Reads, registry: Registry, witnesses: WitnessConfig | None = None
) -> APIRouter:
    router = APIRouter(prefix="/api/v1/log", tags=["log"], responses=LOG_REFUSALS)

    def the_log() -> TransparencyLog:
        if reads.log is None:
            raise NotFoundError("this event store keeps no transparency log")
        return reads.log

    def read_checkpoint(note: bool, witnessed: bool) -> Response:
        version = reads.version()
        log = the_log()
        checkpoint = version.checkpoint or log.checkpoint()
        if witnessed and log.policy is None:
            size = log.recorder.latest_cosigned_size()
            if size is None:
                raise NotFoundError("no witness has cosigned a checkpoint of this log yet")
            checkpoint = log.checkpoint(size)
        elif witnessed:
            size = log.witnessed_size()
            if size is None:
                raise not_witnessed(log, None)
            checkpoint = log.checkpoint(size)
        body = cosigned_body(checkpoint, log)
        if note:
            return PlainTextResponse(
                body["cosigned_note"], headers={**version_header(version), "Vary": "Accept"}
            )
        found = answer(version, {"checkpoint": body})
        found.headers["Vary"] = "Accept"  # the note as text/plain, for Accept: text/plain
        return found

    @router.get(
        "/checkpoint",
        summary="The latest signed checkpoint (size, root, C2SP note, key id)",
        response_model=CheckpointAnswer,
        responses={
            200: {
                "content": {"text/plain": {"schema": {"type": "string"}, "example": examples.NOTE}}
            }
        },
    )
    async def get_checkpoint(
        request: Request,
        format: Annotated[
            Literal["json", "note"] | None,
            Query(
                description="note: the signed note, with the witnesses' cosignature lines, "
                "as text/plain (as Accept: text/plain)."
            ),
        ] = None,
        witnessed: Annotated[
            bool,
            Query(
                description="The latest checkpoint that meets the witness policy (the latest "
                "a witness cosigned, without one), not the latest."
            ),
        ] = False,
    ) -> Response:
        accept = request.headers.get("accept", "")
        note = format == "note" or (format is None and accept.startswith("text/plain"))
        return await run_in_threadpool(read_checkpoint, note, witnessed)

    def read_checkpoints(after: int, limit: int) -> JSONResponse:
        version = reads.version()
        found = the_log().checkpoints(after, limit)
        more = len(found) == limit and found[-1].tree_size < version.log_size
        return answer(
            version,
            {
                "after": after,
                "checkpoints": [checkpoint_body(c) for c in found],
                "next": found[-1].tree_size if more else None,
            },
        )

    @router.get(
        "/checkpoints",
        summary="Signed checkpoints larger than a size, oldest first",
        response_model=CheckpointsAnswer,
    )
    async def get_checkpoints(
        after: Annotated[int, Query(ge=0, le=2**62, description="The last size seen.")] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_CHECKPOINTS)] = 100,
    ) -> JSONResponse:
        return await run_in_threadpool(read_checkpoints, after, limit)

    def read_inclusion(event: str | None, position: int | None, size: int | None) -> JSONResponse:
        if (event is None) == (position is None):
            raise LogRangeError("name the event: give either 'event' or 'position', not both")
        version = reads.version()
        log = the_log()
        if event is not None:
            proof = log.inclusion(*parse_event_id(event), size)
        else:
            assert position is not None  # noqa: S101 (checked above)
            proof = log.inclusion_at(position, size)
        return answer(version, {"inclusion": inclusion_body(proof)})

    @router.get(
        "/inclusion",
        summary="Proof that an event is in a signed checkpoint's tree",
        response_model=InclusionAnswer,
    )
    async def get_inclusion(
        event: Annotated[
            str | None,
            Query(max_length=100, description="The event id: '<aggregate uuid>/<version>'."),
        ] = None,
        position: Annotated[
            int | None,
            Query(
                ge=0,
                le=2**62,
                description="Or the event's log position: its leaf index, from 0 (the "
                "'position' of evidence, histories, the event feed and intake receipts).",
            ),
        ] = None,
        size: Annotated[
            int | None, Query(ge=0, le=2**62, description="A signed size; default: latest.")
        ] = None,
    ) -> JSONResponse:
        return await run_in_threadpool(read_inclusion, event, position, size)

    def read_consistency(first: int, second: int | None) -> JSONResponse:
        version = reads.version()
        proof = the_log().consistency(first, second)
        return answer(
            version,
            {
                "consistency": {
                    "first": checkpoint_body(proof.old),
                    "second": checkpoint_body(proof.new),
                    "hashes": proof.hashes,
                }
            },
        )

    @router.get(
        "/consistency",
        summary="Proof that an older checkpoint is a prefix of a newer",
        response_model=ConsistencyAnswer,
    )
    async def get_consistency(
        first: Annotated[int, Query(ge=0, le=2**62, description="The older signed size.")],
        second: Annotated[
            int | None, Query(ge=0, le=2**62, description="The newer signed size; default latest.")
        ] = None,
    ) -> JSONResponse:
        return await run_in_threadpool(read_consistency, first, second)

    def read_log_key(key_id: str, size: int | None) -> JSONResponse:
        version = reads.version()
        log = the_log()
        checkpoint = log.checkpoint(size)
        proof = log.log_key_proof(key_id, checkpoint.tree_size)
        if proof is None:
            raise NotFoundError(
                f"no log entry before size {checkpoint.tree_size} declares log key {key_id}"
            )
        return answer(version, {"log_key": proof, "checkpoint": checkpoint_body(checkpoint)})

    @router.get(
        "/log-key",
        summary="The root's declaration of a log key (a log entry) and its inclusion proof",
        response_model=LogKeyAnswer,
    )
    async def get_log_key(
        key_id: Annotated[
            str, Query(pattern="^[0-9a-f]{32}$", description="The log key id a receipt names.")
        ],
        size: Annotated[
            int | None,
            Query(ge=0, le=2**62, description="The receipt's checkpoint size; default latest."),
        ] = None,
    ) -> JSONResponse:
        return await run_in_threadpool(read_log_key, key_id, size)

    def read_keys() -> JSONResponse:
        version = reads.version()
        log = the_log()
        signer = log.signer
        codes = [row[0] for row in reads.queries.store.query("SELECT code FROM rm_authorities")]
        authorities = [authority_keys(registry.authority(code)) for code in sorted(codes)]
        root = next((a for a in authorities if a["code"] == ROOT), None)
        return answer(
            version,
            {
                "root": root,
                "log_key": None
                if signer is None
                else {
                    "key_id": signer.key_id,
                    "public_key": b64encode(signer.public_key),
                    "origin": log.recorder.log_origin,
                    "verifier_key": verifier_key(log.recorder.log_origin, signer.public_key),
                },
                "log_key_declarations": log.log_key_declarations(),
                "authorities": [a for a in authorities if a["code"] != ROOT],
            },
        )

    @router.get(
        "/keys",
        summary="The root public key, the root-signed log key declarations, authorities' keys",
        response_model=KeysAnswer,
    )
    async def get_keys() -> JSONResponse:
        return await run_in_threadpool(read_keys)

    def read_witnessed(size: int | None) -> JSONResponse:
        version = reads.version()
        log = the_log()
        if size is not None:
            log.checkpoint(size)  # a size the registry signed, or refused saying so
        found = log.witnessed(size)
        if found is None:
            raise not_witnessed(log, size)
        return answer(
            version,
            {
                "witnessed": found.as_json(),
                "since": found.since,
                "checkpoint": cosigned_body(found.checkpoint, log),
            },
        )

    @router.get(
        "/witnessed",
        summary="The latest checkpoint the witnesses cosigned as the policy requires, and the "
        "consistency proof from an earlier one: a receipt file's 'witnessed'",
        response_model=WitnessedAnswer,
    )
    async def get_witnessed(
        size: Annotated[
            int | None,
            Query(
                ge=1,
                le=2**62,
                description="The receipt's checkpoint size: the proof runs from it; default: "
                "the witnessed checkpoint itself.",
            ),
        ] = None,
    ) -> JSONResponse:
        return await run_in_threadpool(read_witnessed, size)

    _witness_policy_route(router, witnesses)
    return router


def _witness_policy_route(router: APIRouter, witnesses: WitnessConfig | None) -> None:
    @router.get(
        "/witnesses",
        summary="The witness policy: the witnesses' keys and URLs, how many must cosign",
        response_model=WitnessesAnswer,
    )
    async def get_witnesses() -> JSONResponse:
        if witnesses is None:
            return JSONResponse({"required": 0, "witnesses": []})
        return JSONResponse(witnesses.as_json())
