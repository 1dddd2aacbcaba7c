"""The registry's side of witnessing: its witness policy, and the loop that gets checkpoints
cosigned.

The policy is a JSON file (``greenreg serve --witnesses FILE`` or ``GREENREG_WITNESSES``)::

    {"required": 2,
     "witnesses": [{"url": "https://witness.example.org", "vkey": "<witness verifier key>"},
                   ...]}

``vkey`` is what ``greenreg witness --vkey`` prints: the witness's name and public key. The
registry publishes the policy at ``/api/v1/log/witnesses``.

:class:`Submitter` runs in a thread of ``greenreg serve`` (never inside a request): each round,
for each witness whose last cosigned size is below the latest checkpoint, it POSTs
``<url>/add-checkpoint`` with the consistency proof from that size. A 409 answer carries the
size the witness really holds (it restarted, another registry process got there first, the
registry's record was lost): the request is made again once from that size. A returned
cosignature is checked (name, key id, signature over the checkpoint) before it is stored with
the witness's new size. A witness that refuses or cannot be reached is tried again after a
wait that doubles from one round up to :data:`MAX_BACKOFF` seconds, and its reason is logged
once (again when the reason changes, and when it cosigns again), not at every round.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

import greenreg
from greenreg.errors import GreenregError
from greenreg.registry.checkpoints import parse_checkpoint
from greenreg.registry.log import consistency_proof
from greenreg.storage.log_tables import LogTables
from greenreg.witness.cosignature import (
    WitnessKey,
    WitnessPolicy,
    cosignature_time,
    note_body,
    parse_witness_vkey,
)

log = logging.getLogger("greenreg.witness")

CONFLICT = 409


@dataclass(frozen=True)
class WitnessEndpoint:
    key: WitnessKey
    url: str

    @property
    def add_checkpoint(self) -> str:
        return self.url.rstrip("/") + "/add-checkpoint"


@dataclass(frozen=True)
class WitnessConfig:
    """The witnesses a registry asks, and how many cosignatures its policy requires."""

    endpoints: tuple[WitnessEndpoint, ...]
    required: int

    @property
    def policy(self) -> WitnessPolicy:
        return WitnessPolicy(tuple(e.key for e in self.endpoints), self.required)

    def as_json(self) -> dict[str, object]:
        published = self.policy.as_json()
        urls = {e.key.name: e.url for e in self.endpoints}
        for witness in published["witnesses"]:  # type: ignore[attr-defined]
            witness["url"] = urls[witness["name"]]
        return published


def read_witness_config(path: Path) -> WitnessConfig:
    """The witness policy file (see the module docstring), or a clear error."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise GreenregError(f"cannot read the witness policy {path}: {error}") from None
    try:
        endpoints = tuple(
            WitnessEndpoint(parse_witness_vkey(str(w["vkey"])), str(w["url"]))
            for w in data["witnesses"]
        )
        required = int(data.get("required", len(endpoints)))
    except (KeyError, TypeError, ValueError) as error:
        raise GreenregError(
            f"the witness policy {path} is {{'required': K, 'witnesses': [{{'url', 'vkey'}}]}}: "
            f"{error!r}"
        ) from None
    if len({e.key.name for e in endpoints}) != len(endpoints):
        raise GreenregError(f"the witness policy {path} names a witness twice")
    config = WitnessConfig(endpoints, required)
    config.policy  # noqa: B018 (checks required <= the number of witnesses)
    return config


MAX_BACKOFF = 300.0  # seconds between two tries of a witness that keeps refusing


@dataclass
class Refusal:
    """Why a witness last did not cosign, and when to try it again."""

    reason: str
    wait: float
    retry_at: float
    since: int  # how many tries in a row it has refused


class Submitter:
    """Sends the registry's latest checkpoint to each witness; keeps what they cosign."""

    def __init__(
        self,
        recorder: LogTables,
        config: WitnessConfig,
        *,
        timeout: float = 10.0,
        poll: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.recorder, self.config, self.poll, self.clock = recorder, config, poll, clock
        self.refusals: dict[str, Refusal] = {}
        self.client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": f"greenreg/{greenreg.__version__} witness-client"},
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="greenreg-witnesses", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.client.close()

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("a round of witnessing failed; trying again")
            self._stop.wait(self.poll)

    def run_once(self) -> int:
        """One round: each witness behind the latest checkpoint is sent it; how many cosigned."""
        latest = self.recorder.latest_checkpoint()
        if latest is None:
            return 0
        size, note = latest
        cosigned = 0
        for endpoint in self.config.endpoints:
            name = endpoint.key.name
            refused = self.refusals.get(name)
            if refused is not None and self.clock() < refused.retry_at:
                continue
            if self.recorder.witnessed_size(name) >= size:
                continue
            try:
                cosigned += self.submit(endpoint, size, note)
            except (httpx.HTTPError, GreenregError) as error:
                self._refused(name, size, str(error) or type(error).__name__)
            else:
                if self.refusals.pop(name, None) is not None:
                    log.warning("witness %s cosigned size %d", name, size)
        return cosigned

    def _refused(self, name: str, size: int, reason: str) -> None:
        """Note a refusal: try ``name`` again after a wait twice the last; log a new reason."""
        before = self.refusals.get(name)
        wait = self.poll if before is None else min(2 * before.wait, MAX_BACKOFF)
        since = 1 if before is None else before.since + 1
        self.refusals[name] = Refusal(reason, wait, self.clock() + wait, since)
        if before is None or before.reason != reason:
            log.warning(
                "witness %s did not cosign size %d: %s (trying again in %.0f s, then less often)",
                name,
                size,
                reason,
                wait,
            )

    def submit(self, endpoint: WitnessEndpoint, size: int, note: str) -> bool:
        """Ask ``endpoint`` to cosign the checkpoint ``note`` of ``size``; store its answer."""
        old = self.recorder.witnessed_size(endpoint.key.name)
        answer = self._post(endpoint, old, size, note)
        if answer.status_code == CONFLICT:
            held = _size(answer.text)
            if held is None:
                raise GreenregError(f"answered 409 without a size: {answer.text.strip()!r}")
            if held > size:
                raise GreenregError(
                    f"the witness has cosigned this log at size {held}, larger than this "
                    f"registry's {size}: this log has been rolled back (or is another copy of "
                    "it), and the witness will not cosign a smaller log"
                )
            answer = self._post(endpoint, held, size, note)
        if answer.status_code != httpx.codes.OK:
            reason = answer.headers.get("Witness-Reason") or answer.text.strip()
            raise GreenregError(f"answered {answer.status_code}: {reason}")
        body = note_body(note)
        line = next(
            (
                line
                for line in answer.text.splitlines()
                if line.startswith(f"— {endpoint.key.name} ")
            ),
            None,
        )
        if line is None:
            raise GreenregError("its answer holds no cosignature by its key")
        cosignature_time(endpoint.key, body, line)  # raises unless valid
        self.recorder.store_cosignature(endpoint.key.name, size, line)
        return True

    def _post(self, endpoint: WitnessEndpoint, old: int, size: int, note: str) -> httpx.Response:
        proof = consistency_proof(old, size, self.recorder.read_nodes) if 0 < old < size else []
        lines = "".join(base64.b64encode(h).decode("ascii") + "\n" for h in proof)
        parse_checkpoint(note)  # a malformed note is never sent
        return self.client.post(
            endpoint.add_checkpoint,
            content=f"old {old}\n{lines}\n{note}".encode(),
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )


def _size(text: str) -> int | None:
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() else None
