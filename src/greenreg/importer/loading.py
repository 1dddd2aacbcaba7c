"""Submitting announcements, and the first run: an empty store gets the shipped MIIT lists.

:func:`import_announcement` records one announcement in one transaction (``submit_batch``): all
its acts, or none. Run again, it records nothing new: every act is answered ``already_recorded``.

:func:`load_shipped_lists` is what ``greenreg serve`` calls before serving. The first run has
steps, each recorded in the store (or the key folder) before the next begins: make the root and
transcriber keys if they are missing (a key file exists before the store names its key), found
the registry under the root key and register the transcription authority and its key (one
transaction), have the root declare the registry's log key (so inspectors trust its
checkpoints) and adopt the rulebooks whose first day in force the texts give
(:mod:`~greenreg.importer.rules`), then import every shipped announcement (one transaction
each).

It is resumable: whatever step a crash interrupted, the next call reads from the store which
steps are done (is the registry founded with these keys, is the log key declared, which
announcements' acts are recorded) and does the rest, so a half-loaded store is completed before
it is served. On a store founded under other keys it does nothing (``None``), so it never mixes
into a registry someone else founded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
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
from greenreg.importer.keys import (
    DEFAULT_KEYS_DIR,
    ROOT_KEY,
    TRANSCRIBER_KEY,
    ensure_key,
    read_key,
)
from greenreg.importer.progress import ProgressReport, Silent
from greenreg.importer.rules import shipped_adoption_acts
from greenreg.importer.transcription import (
    TRANSCRIBER_CODE,
    TRANSCRIBER_NAME,
    TRANSCRIBER_PROGRAMMES,
    RegisteredBy,
    designating_act_id,
    transcribe,
    unit_id_of,
)
from greenreg.registry.application import Receipt, Registry
from greenreg.registry.authority import ROOT
from greenreg.storage.log_key import declare
from greenreg.storage.log_tables import LogTables


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


FirstRunStep = Callable[[str], None]
"""Told the name of each first-run step once it is durable: ``root-key``, ``transcriber-key``,
``founded``, ``log-key-declared``, ``announcement-N`` (N = 1, 2, ... once recorded) and
``announcement-N-half`` (half its acts checked, nothing of it recorded yet)."""


Loaded = Callable[[int, int, "ImportResult"], None]
"""Told each announcement once it is recorded: its number, how many there are, what it did."""


def load_shipped_lists(
    greenreg: Greenreg,
    keys_dir: Path = DEFAULT_KEYS_DIR,
    progress: ProgressReport | None = None,
    at_step: FirstRunStep | None = None,
    loaded: Loaded | None = None,
) -> list[ImportResult] | None:
    """Do what is left of the first run: keys, founding, the log key's declaration, the shipped
    announcements not recorded yet (their results, ``[]`` when the first run was complete).
    On a store founded under other keys: nothing (``None``)."""
    registry = greenreg.registry
    step = at_step or _no_step
    if registry.event_count() and not _founded_with(registry, keys_dir):
        return None
    root = ensure_key(keys_dir, ROOT_KEY)
    step("root-key")
    transcriber = ensure_key(keys_dir, TRANSCRIBER_KEY)
    step("transcriber-key")
    if not registry.event_count():
        try:
            found_with_transcriber(greenreg, root, transcriber)
        except ConflictError:
            if not _founded_with(registry, keys_dir):
                return None  # another process founded the registry at the same moment
        step("founded")
    if not _log_key_declared(registry):
        declare(registry, root, registry.clock(), greenreg.submit)  # inspectors trust the log key
        step("log-key-declared")
    adopt_shipped_rules(greenreg, root)  # fixed act ids: again, it records nothing new
    step("rules-adopted")
    issuer = Issuer(TRANSCRIBER_CODE, transcriber)
    results = []
    announcements = shipped_announcements()
    for number, announcement in enumerate(announcements, start=1):
        if _recorded(registry, announcement):
            continue
        halfway = _Halfway(progress or Silent(), step, f"announcement-{number}-half")
        results.append(import_announcement(greenreg, issuer, announcement, halfway))
        step(f"announcement-{number}")
        if loaded is not None:
            loaded(number, len(announcements), results[-1])
    return results


def _no_step(name: str) -> None:
    pass


def _founded_with(registry: Registry, keys_dir: Path) -> bool:
    """Whether this store was founded by a first run with the keys in ``keys_dir``: its root
    key is ``root.key`` and the transcription authority holds ``transcriber.key``."""
    keys = {}
    for name in (ROOT_KEY, TRANSCRIBER_KEY):
        if not (keys_dir / f"{name}.key").exists():
            return False
        keys[name] = read_key(keys_dir, name).key_id
    try:
        root = registry.authority(ROOT)
        transcriber = registry.authority(TRANSCRIBER_CODE)
    except NotFoundError:
        return False
    return keys[ROOT_KEY] in root.keys and keys[TRANSCRIBER_KEY] in transcriber.keys


def _log_key_declared(registry: Registry) -> bool:
    recorder = registry.recorder
    if not isinstance(recorder, LogTables) or recorder.log_signer is None:
        return True  # no log key to declare (``declare`` would refuse)
    return recorder.log_signer.key_id in registry.authority(ROOT).log_keys


def _recorded(registry: Registry, announcement: Announcement) -> bool:
    """Whether the announcement's acts are recorded: they were saved in one transaction, so
    its last designation tells for all of them."""
    listed = list(announcement.listed())
    if not listed:
        return False
    programme, row = listed[-1]
    try:
        unit = registry.unit(str(unit_id_of(programme, row.name)))
    except NotFoundError:
        return False
    return designating_act_id(announcement.document, programme, row.name) in unit.acts


class _Halfway:
    """A progress report that also tells the step ``name`` once half an announcement's acts
    are checked (a crash there leaves nothing of the announcement recorded)."""

    def __init__(self, progress: ProgressReport, step: FirstRunStep, name: str) -> None:
        self.progress, self.step, self.name = progress, step, name
        self.total = self.done = 0

    def start(self, description: str, total: int) -> None:
        self.total, self.done = total, 0
        self.progress.start(description, total)

    def advance(self, done: int = 1) -> None:
        before, self.done = self.done, self.done + done
        self.progress.advance(done)
        if before < self.total // 2 <= self.done:
            self.step(self.name)


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
        recorded = unit.acts.get(register_id)
        event = None if recorded is None else recorded.event  # a registration: kept whole
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
