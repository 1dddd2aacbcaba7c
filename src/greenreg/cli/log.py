"""Commands of the transparency log: verify, export, the log key, receipts, green codes."""

from __future__ import annotations

import json
import tempfile
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from greenreg.audit.export import write_export
from greenreg.audit.read_models import ReadModelCheck, read_model_check
from greenreg.audit.report import Problem, Report
from greenreg.audit.source import AuditSource, DatabaseSource
from greenreg.audit.tiles import TileSource, mirror
from greenreg.audit.verify import Audit
from greenreg.bootstrap import open_greenreg, open_read_store, open_registry
from greenreg.cli.audit_state import SavedState, verify_since
from greenreg.cli.common import (
    Database,
    app,
    console,
    errors,
    print_findings,
    read_signer,
    run,
)
from greenreg.cli.outcomes import Exit
from greenreg.cli.terminal import printable, shown
from greenreg.code_reference import qr_png, scan_url
from greenreg.errors import GreenregError, NotFoundError
from greenreg.events.signing import b64encode, check_public_key
from greenreg.green_codes import GreenCode, GreenCodes
from greenreg.key_formats import read_public_key
from greenreg.projections.fold import Fold
from greenreg.receipt_chain import verify_receipt_chain
from greenreg.receipt_witnessed import add_witnessed, check_witnessed_receipt, fetch_witnessed
from greenreg.receipts import (
    ReceiptText,
    read_receipt,
    verify_receipt,
)
from greenreg.registry.application import Registry
from greenreg.registry.checkpoints import declared_key_id, open_checkpoint, parse_checkpoint
from greenreg.storage.log_key import declare
from greenreg.storage.log_tables import LogTables
from greenreg.storage.queries import TransparencyLog
from greenreg.witness.cosignature import WitnessPolicy, check_witnessed, read_policy

log_app = typer.Typer(help="The transparency log: its key and checkpoints.")
receipt_app = typer.Typer(help="Signed receipts and green codes.")
app.add_typer(log_app, name="log")
app.add_typer(receipt_app, name="receipt")

WitnessKeys = Annotated[
    list[Path] | None,
    typer.Option(
        "--witness-key",
        help="A witness's key file (its verifier key, as 'greenreg witness --vkey' prints it); "
        "repeatable.",
    ),
]
WitnessesRequired = Annotated[
    int | None,
    typer.Option(
        "--witnesses-required",
        min=0,
        help="How many of the --witness-key witnesses must have cosigned (default: all).",
    ),
]


RegistryWitnesses = Annotated[
    Path | None,
    typer.Option(
        "--witnesses",
        envvar="GREENREG_WITNESSES",
        help="The registry's witness policy file (as 'greenreg serve --witnesses' reads it): "
        "write the latest checkpoint that meets it, with the witnesses' cosignatures.",
    ),
]


def _policy(keys: list[Path] | None, required: int | None) -> WitnessPolicy | None:
    if not keys and not required:
        return None
    files = keys or []
    return read_policy(files, len(files) if required is None else required)


def _registry_policy(path: Path | None) -> WitnessPolicy | None:
    if path is None:
        return None
    # The submitter's module imports an HTTP client no other command needs at start.
    from greenreg.witness.submitter import read_witness_config  # noqa: PLC0415

    return read_witness_config(path).policy


def _check_witnessed(log: LogTables, policy: WitnessPolicy, report: Report) -> None:
    """The latest checkpoint that meets the policy, and how far the log is beyond it; a
    problem naming what is missing from the latest cosigned one when none does."""
    witnessed = TransparencyLog(log, policy).witnessed()
    if witnessed is not None:
        at = witnessed.checkpoint.tree_size
        _witnessed_note(at, witnessed.witnesses, policy, report, log.log_size() - at)
        return
    size = log.latest_cosigned_size()
    if size is None:
        report.problems.append(
            Problem("witnesses", "no witness has cosigned a checkpoint of this log")
        )
        return
    note = log.checkpoint_note(size) or ""
    lines = "".join(line + "\n" for _, line in log.cosignatures(size))
    try:
        valid = check_witnessed(note + lines, policy)
    except GreenregError as error:
        report.problems.append(Problem("witnesses", str(error)))
        return
    _witnessed_note(size, valid, policy, report, log.log_size() - size)


def _witnessed_note(
    size: int, valid: list[str], policy: WitnessPolicy, report: Report, behind: int = 0
) -> None:
    report.notes.append(
        f"the checkpoint of size {size} is cosigned by {', '.join(valid) or 'no witness'} "
        f"({len(valid)} of the {policy.required} required)"
        + (f"; the {behind} entries after it are not yet witnessed" if behind else "")
    )


def _check_exported_witnesses(source: TileSource, policy: WitnessPolicy, report: Report) -> None:
    """A tiled log's checkpoint must carry the cosignatures the policy requires."""
    try:
        valid = check_witnessed(source.note, policy)
    except GreenregError as error:
        report.problems.append(Problem("witnesses", str(error)))
        return
    _witnessed_note(source.size(), valid, policy, report)


PublicKeyFile = Annotated[
    Path | None,
    typer.Option("--root-public-key", help="The root public key file: the trust anchor."),
]


def _public_key(path: Path) -> bytes:
    key = read_public_key(path)
    check_public_key(key)
    return key


def _check_read_models(
    registry: Registry,
    database: str | None,
    report: Report,
    fold: Fold | None = None,
    check: ReadModelCheck | None = None,
) -> int:
    """A live database's read models must equal a rebuild from its log (not for ``--as-of``,
    which looks at the log as it stood then, nor for an export, which has no read models).
    Returns the log size compared at; the rebuild is folded into ``fold``, if given. ``check``:
    the audit's check by digest, which rebuilds only if the digests differ."""
    if check is not None:
        problems, at = check.problems(registry, fold)
    else:
        store = open_read_store(database)
        try:
            problems, at = read_model_check(registry, store, fold)
        finally:
            store.close()
    report.problems.extend(problems)
    if not problems:
        report.notes.append("the read models equal a rebuild from the log")
    return at


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise GreenregError(f"--as-of takes a date written YYYY-MM-DD, not {text!r}") from None


def _log(registry: Registry) -> LogTables:
    recorder = registry.recorder
    if not isinstance(recorder, LogTables):
        raise NotFoundError("this event store keeps no transparency log")
    return recorder


def _tiled(origin: str, stack: ExitStack) -> TileSource:
    """A tiled log: a directory, or a URL copied into a temporary one first."""
    if not origin.startswith(("http://", "https://")):
        return TileSource(Path(origin))
    directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="greenreg-tiles-")))
    with Progress(
        "[progress.description]{task.description}",
        MofNCompleteColumn(),
        console=errors,
        transient=True,
    ) as bar:
        task = bar.add_task("fetching tiles", total=None)
        mirror(origin, directory, lambda n: bar.update(task, completed=n))
    return TileSource(directory)


@app.command()
def verify(  # noqa: PLR0917 (one parameter per option, as typer reads them)
    database: Database = None,
    from_origin: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Verify a tiled log instead of a database: an export directory (offline), or "
            "the URL of a registry or of a mirror serving one.",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Verify the log as it stood at the end of this day (YYYY-MM-DD, Asia/Shanghai): "
            "the entries recorded on or before it, against the checkpoints within them.",
        ),
    ] = None,
    root_public_key: PublicKeyFile = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (signatures and the rule replay).")
    ] = None,
    witness_key: WitnessKeys = None,
    witnesses_required: WitnessesRequired = None,
    since: Annotated[
        Path | None,
        typer.Option(
            "--since",
            help="Audit only what the log gained since the audit that wrote this state file "
            "(--save-state), from its last checkpoint to the latest; advance the state if "
            "every check holds.",
        ),
    ] = None,
    save_state: Annotated[
        Path | None,
        typer.Option(
            "--save-state",
            help="After a whole audit in which every check holds, write its state to this file "
            "(for --since and 'greenreg monitor').",
        ),
    ] = None,
) -> None:
    """Audit replay with public keys only: signatures, keys, competence, rules, Merkle log;
    with a witness policy, the latest witnessed checkpoint (an export's or a mirror's checkpoint)
    has the cosignatures it requires."""

    def action() -> Report:
        policy = _policy(witness_key, witnesses_required)
        anchor = _public_key(root_public_key) if root_public_key else None
        if since is not None:
            if as_of or save_state:
                raise GreenregError("--since goes on from its state: no --as-of, no --save-state")
            return verify_since(
                since, database, from_origin, root_public_key=anchor, workers=workers, policy=policy
            )
        if save_state is not None and as_of:
            raise GreenregError("a state is saved after a whole audit: no --as-of")
        day = _day(as_of) if as_of else None
        stack = ExitStack()
        saved = SavedState(save_state) if save_state is not None else None
        if saved is not None:
            stack.callback(saved.discard)
        try:
            registry = None if from_origin else open_registry(database)
            if registry is not None:
                stack.callback(registry.close)
            source: AuditSource = (
                _tiled(from_origin, stack) if from_origin else DatabaseSource(_log(registry))  # type: ignore[arg-type]
            )
            check = None
            if registry is not None and day is None and saved is None:
                store = open_read_store(database)
                stack.callback(store.close)
                check = ReadModelCheck(store)
            with Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=errors,
                transient=True,
            ) as bar:
                task = bar.add_task("verifying", total=source.size())
                audit = Audit(source, anchor, day, workers, lambda n: bar.update(task, completed=n))
                audit.keep = saved.keep if saved is not None else None
                audit.read_models = check
                report = audit.run()
            fold = Fold() if saved is not None else None
            folded_at = 0
            if registry is not None and day is None:
                folded_at = _check_read_models(registry, database, report, fold, check)
            if registry is not None and policy is not None:
                _check_witnessed(_log(registry), policy, report)
            if isinstance(source, TileSource) and policy is not None:
                _check_exported_witnesses(source, policy, report)
            if saved is not None:
                saved.finish(report, fold, folded_at)
            return report
        finally:
            stack.close()

    report = run(action)
    if root_public_key is None:
        console.print("note: no --root-public-key given; trusting the root key the log declares")
    console.print(
        f"{report.events} events, {report.signatures} signatures, "
        f"{report.checkpoints} checkpoints; root {report.root}"
    )
    if print_findings(report, "every check holds"):
        raise typer.Exit(Exit.PROBLEM_FOUND)


@app.command()
def export(
    directory: Annotated[Path, typer.Argument()],
    database: Database = None,
    witnesses: RegistryWitnesses = None,
) -> None:
    """Write the log as C2SP tlog-tiles to DIRECTORY (checkpoint with its cosignatures, tiles,
    entry bundles, log keys): for offline inspection, or served by any static file server as a
    mirror."""

    def action() -> int:
        policy = _registry_policy(witnesses)
        registry = open_registry(database)
        try:
            return write_export(DatabaseSource(_log(registry)), directory, policy)
        finally:
            registry.close()

    count = run(action)
    console.print(f"exported {count} log entries to {directory}")


@log_app.command("declare-key")
def declare_key(
    root_key: Annotated[Path, typer.Option("--root-key", help="The root private key file.")],
    database: Database = None,
) -> None:
    """The root declares the registry's log key, so inspectors can trust its checkpoints."""

    def action() -> str:
        greenreg = open_greenreg(database)
        try:
            declaration = declare(
                greenreg.registry, read_signer(root_key), datetime.now(UTC), greenreg.submit
            )
            return declared_key_id(declaration)
        finally:
            greenreg.close()

    console.print(f"log key {run(action)} declared by the root key")


@log_app.command("public-key")
def public_key(
    out: Annotated[Path | None, typer.Option(help="Write it to this file.")] = None,
    database: Database = None,
) -> None:
    """The log public key (base64), which verifies checkpoints and receipts."""

    def action() -> str:
        registry = open_registry(database)
        try:
            signer = _log(registry).log_signer
            if signer is None:
                raise NotFoundError("this registry has no log key")
            return b64encode(signer.public_key)
        finally:
            registry.close()

    key = run(action)
    if out:
        out.write_text(key + "\n")
    console.print(key)


@log_app.command("checkpoint")
def checkpoint(database: Database = None) -> None:
    """The latest signed checkpoint (a C2SP signed note)."""

    def action() -> str:
        registry = open_registry(database)
        try:
            return TransparencyLog(registry.recorder).checkpoint().note
        finally:
            registry.close()

    note = run(action)  # several lines: each shown on its own
    console.print("\n".join(shown(line) for line in note.split("\n")), end="")


@receipt_app.command("verify")
def receipt_verify(
    file: Annotated[Path, typer.Argument(help="A receipt file or green code (JSON).")],
    root_public_key: Annotated[
        Path | None,
        typer.Option(
            "--root-public-key",
            help="The root public key file: check the whole chain from it (the root's "
            "declaration of the log key, a log entry in the receipt's checkpoint, then the "
            "checkpoint and the receipt).",
        ),
    ] = None,
    log_public_key: Annotated[
        Path | None,
        typer.Option(
            "--log-public-key",
            help="Or the registry's log public key file, trusted as given: check the receipt's "
            "and its checkpoint's signatures only.",
        ),
    ] = None,
    witness_key: WitnessKeys = None,
    witnesses_required: WitnessesRequired = None,
) -> None:
    """Check a receipt offline (docs/receipts.md): from the root public key, or by the log key.

    Exit status 1 when the receipt is not valid (altered, signed by another key, or its log key
    not declared by that root, or no checkpoint covering it has the cosignatures a witness
    policy requires), saying where the chain breaks."""
    if (root_public_key is None) == (log_public_key is None):
        raise typer.BadParameter(
            "give the root public key (--root-public-key, the whole chain) or the log public "
            "key (--log-public-key), one of them",
            param_hint="'--root-public-key'",
        )
    trusted = _public_key(root_public_key or log_public_key)  # type: ignore[arg-type]
    policy = run(lambda: _policy(witness_key, witnesses_required))
    text = file.read_text("utf-8")
    try:
        read = read_receipt(text)
        if root_public_key is not None:
            verified = verify_receipt_chain(read, trusted, policy)
            body, witnessing = verified.body, verified.witnessing
        else:
            body = verify_receipt(read.receipt, trusted)
            checkpoint = open_checkpoint(body["checkpoint"], trusted)
            witnessing = check_witnessed_receipt(
                checkpoint, body["checkpoint"], read.witnessed, trusted, policy
            )
    except GreenregError as error:
        errors.print(f"[red]not valid[/red]: {shown(error)}")
        raise typer.Exit(Exit.PROBLEM_FOUND) from None
    chain = " from the root key" if root_public_key is not None else ""
    console.print(
        f"[green]valid[/green]{chain}: {shown(body['kind'])} receipt issued "
        f"{shown(body['issued_at'])}"
    )
    if witnessing is not None and policy is not None:
        console.print(
            f"witnessed: the checkpoint of size {witnessing.size} covers it, cosigned by "
            f"{shown(', '.join(witnessing.witnesses) or 'no witness')} "
            f"({len(witnessing.witnesses)} of the {policy.required} required)"
        )
    answer = json.dumps(body["answer"], ensure_ascii=False, indent=2)
    console.out("\n".join(printable(line) for line in answer.split("\n")), highlight=False)


@receipt_app.command("green-code")
def green_code(
    unit: Annotated[str, typer.Argument(help="The unit's id or credit code.")],
    out: Annotated[Path, typer.Option(help="Directory for green-code.json and .png")] = Path("."),
    base_url: Annotated[
        str,
        typer.Option(help="The registry's public address: the QR code carries <base-url>/V/..."),
    ] = "http://127.0.0.1:8000",
    database: Database = None,
    witnesses: RegistryWitnesses = None,
) -> None:
    """A unit's green code, as the unit page shows it: a QR code of the short URL the registry
    verifies (/V/...), and the signed statement it names; with the registry's witness policy,
    at the latest witnessed checkpoint if the unit has not changed since, and the file carries
    the witnessed checkpoint that covers it."""

    def action() -> tuple[GreenCode, ReceiptText]:
        policy = _registry_policy(witnesses)
        registry = open_registry(database)
        try:
            log = _log(registry)
            if log.log_signer is None:
                raise NotFoundError("this registry has no log key")
            codes = GreenCodes(registry, policy)
            code = codes.of(registry.unit(unit).id)
            if code is None:
                raise NotFoundError("this registry has signed no checkpoint yet")
            witnessed = codes.witnessed(code)
            return code, ReceiptText(
                code.json,
                log.log_signer.key_id,
                codes.log_key_proof(code),
                None if witnessed is None else witnessed.as_json(),
            )
        finally:
            registry.close()

    code, text = run(action)
    out.mkdir(parents=True, exist_ok=True)
    kept = json.dumps(text.file(), ensure_ascii=False, separators=(",", ":"))
    (out / "green-code.json").write_text(kept + "\n", encoding="utf-8")
    url = scan_url(base_url, code.reference)
    (out / "green-code.png").write_bytes(qr_png(url))
    console.print(f"green code written to {out / 'green-code.json'} and green-code.png")
    console.print(f"it carries {url}", highlight=False)


@receipt_app.command("witnessed")
def receipt_witnessed(
    file: Annotated[Path, typer.Argument(help="A receipt file or green code (JSON).")],
    registry_url: Annotated[
        str,
        typer.Option("--registry", help="The registry's address, e.g. https://greenreg.example"),
    ],
) -> None:
    """Add to FILE the latest checkpoint the registry's witnesses cosigned, with the proof that
    it extends the receipt's checkpoint (docs/receipts.md): for a receipt issued before they had
    cosigned that far. The signed receipt is kept byte for byte; the file is changed only if
    the proof holds."""

    def action() -> tuple[str, int]:
        text = file.read_text("utf-8")
        body = read_receipt(text).receipt.get("act", {})
        size = parse_checkpoint(str(body.get("checkpoint", "")))[0].size
        found = fetch_witnessed(registry_url, size)
        return add_witnessed(text, found), parse_checkpoint(found["checkpoint"])[0].size

    updated, size = run(action)
    file.write_text(updated, encoding="utf-8")
    console.print(
        f"added the witnessed checkpoint of size {size} to {file}; check it with "
        "'greenreg receipt verify' and the witnesses' keys"
    )
