"""Submitting announcements, and the first run: an empty store gets the shipped MIIT lists.

:func:`import_announcement` records one announcement in one transaction (``submit_batch``): all
its acts, or none. Run again, it records nothing new: every act is answered ``already_recorded``.

:func:`load_shipped_lists` is what ``greenreg serve`` calls before serving: on an empty store it
makes the root and transcriber keys if they are missing, founds the registry under the root key,
registers the transcription authority and its key (one transaction), has the root declare the
registry's log key (so inspectors trust its checkpoints) and adopt the rulebooks whose first
day in force the texts give (:mod:`~greenreg.importer.rules`), then imports every shipped
announcement (one transaction each). On a store that holds anything it does nothing, so it never
mixes into a registry someone else founded. If a first run stops half-way, ``greenreg import
--shipped`` finishes it: the announcements already recorded are answered ``already_recorded``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from greenreg.bootstrap import Greenreg
from greenreg.errors import ConflictError, GreenregError, NotFoundError
from greenreg.events.issuer import Issuer
from greenreg.events.places import NATIONAL
from greenreg.events.signing import Signer, b64encode
from greenreg.importer.announcements import Announcement, shipped_announcements
from greenreg.importer.keys import DEFAULT_KEYS_DIR, ROOT_KEY, TRANSCRIBER_KEY, ensure_key
from greenreg.importer.progress import ProgressReport, Silent
from greenreg.importer.rules import shipped_adoption_acts
from greenreg.importer.transcription import (
    TRANSCRIBER_CODE,
    TRANSCRIBER_NAME,
    TRANSCRIBER_PROGRAMMES,
    RegisteredBy,
    transcribe,
)
from greenreg.registry.application import Receipt, Registry
from greenreg.registry.authority import ROOT
from greenreg.storage.log_key import declare


@dataclass(frozen=True)
class ImportResult:
    """What importing one announcement did."""

    label: str
    document: str
    acts: int
    recorded: int
    already_recorded: int
    events: Counter[str]

    @property
    def summary(self) -> str:
        made = ", ".join(f"{n} {kind}" for kind, n in sorted(self.events.items())) or "nothing"
        return (
            f"{self.label} ({self.document}): {self.acts} acts, {self.recorded} recorded "
            f"({made}), {self.already_recorded} already recorded"
        )


def import_announcement(
    greenreg: Greenreg,
    issuer: Issuer,
    announcement: Announcement,
    progress: ProgressReport | None = None,
) -> ImportResult:
    """Transcribe ``announcement`` into signed acts and record them in one transaction."""
    registry = greenreg.registry
    acts = list(transcribe(announcement, issuer, _registered_by(registry), registry.clock()))
    progress = progress or Silent()
    progress.start(f"{announcement.label} {announcement.effective_date}", len(acts))
    receipts = greenreg.submit_batch(_counted(acts, progress))
    return _result(announcement, receipts)


def import_shipped(
    greenreg: Greenreg, issuer: Issuer, progress: ProgressReport | None = None
) -> list[ImportResult]:
    """Import every shipped announcement, oldest first, each in its own transaction."""
    return [import_announcement(greenreg, issuer, a, progress) for a in shipped_announcements()]


def load_shipped_lists(
    greenreg: Greenreg,
    keys_dir: Path = DEFAULT_KEYS_DIR,
    progress: ProgressReport | None = None,
) -> list[ImportResult] | None:
    """On an empty store: keys, founding, the transcriber, then every shipped announcement.
    On a store that holds anything: nothing (``None``)."""
    if greenreg.registry.event_count():
        return None
    root = ensure_key(keys_dir, ROOT_KEY)
    transcriber = ensure_key(keys_dir, TRANSCRIBER_KEY)
    try:
        found_with_transcriber(greenreg, root, transcriber)
    except ConflictError:
        if greenreg.registry.event_count():
            return None  # another process founded the registry at the same moment
        raise
    declare(greenreg.registry, root, greenreg.registry.clock())  # inspectors trust the log key
    adopt_shipped_rules(greenreg, root)
    return import_shipped(greenreg, Issuer(TRANSCRIBER_CODE, transcriber), progress)


def found_with_transcriber(greenreg: Greenreg, root_signer: Signer, transcriber: Signer) -> None:
    """Found the registry under ``root_signer`` and register the transcription authority with
    ``transcriber`` as its key, all signed by the root, in one transaction."""
    now = greenreg.registry.clock()
    root = Issuer(ROOT, root_signer)
    document = "greenreg: registration of the transcriber of public MIIT announcements"
    greenreg.submit_batch(
        [
            root.act(
                "found_registry",
                effective_date=now.date(),
                document="founding of greenreg",
                signed_at=now,
                name="greenreg",
                root_public_key=b64encode(root_signer.public_key),
            ),
            root.act(
                "register_authority",
                effective_date=now.date(),
                document=document,
                signed_at=now,
                code=TRANSCRIBER_CODE,
                name=TRANSCRIBER_NAME,
                jurisdiction=NATIONAL,
                programmes=[p.value for p in TRANSCRIBER_PROGRAMMES],
            ),
            root.act(
                "add_key",
                effective_date=now.date(),
                document=document,
                signed_at=now,
                for_authority=TRANSCRIBER_CODE,
                public_key=b64encode(transcriber.public_key),
                valid_from=now.isoformat(),
                valid_until=None,
            ),
        ]
    )


def adopt_shipped_rules(greenreg: Greenreg, root_signer: Signer) -> None:
    """The root adopts the rulebooks whose first day the texts give (one transaction; acts
    with fixed ids, so a second run records nothing new)."""
    now = greenreg.registry.clock()
    greenreg.submit_batch(shipped_adoption_acts(Issuer(ROOT, root_signer), now))


def check_transcriber(greenreg: Greenreg, code: str = TRANSCRIBER_CODE) -> None:
    """Refuse early, in a clerk's words, when the store has no authority to sign the import."""
    try:
        greenreg.registry.authority(code)
    except NotFoundError:
        if not greenreg.registry.event_count():
            raise GreenregError(
                "the registry is empty: run 'greenreg import --shipped' first; it founds the "
                "registry and registers the transcription authority"
            ) from None
        raise GreenregError(
            f"this registry has no authority {code!r} to sign the import; register it with "
            "'greenreg authority add' or name another with --authority"
        ) from None


def _registered_by(registry: Registry) -> RegisteredBy:
    def registered_by(unit_id: UUID, register_id: UUID) -> str | None:
        try:
            unit = registry.unit(str(unit_id))
        except NotFoundError:
            return None
        event = unit.acts.get(register_id)
        return event.document_number if event is not None else ""

    return registered_by


def _counted(acts: Iterable[dict[str, Any]], progress: ProgressReport) -> Iterator[dict[str, Any]]:
    for act in acts:
        yield act
        progress.advance()


def _result(announcement: Announcement, receipts: list[Receipt]) -> ImportResult:
    recorded = [r for r in receipts if r.status == "recorded"]
    return ImportResult(
        label=announcement.label,
        document=announcement.document,
        acts=len(receipts),
        recorded=len(recorded),
        already_recorded=len(receipts) - len(recorded),
        events=Counter(e.type for r in recorded for e in r.events),
    )
