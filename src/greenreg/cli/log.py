"""Commands of the transparency log: verify, export, the log key, receipts, green codes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from greenreg.audit.export import ExportSource, write_export
from greenreg.audit.read_models import read_model_problems
from greenreg.audit.report import Problem, Report
from greenreg.audit.source import AuditSource, DatabaseSource
from greenreg.audit.verify import Audit
from greenreg.bootstrap import open_read_store, open_registry
from greenreg.cli.common import Database, app, console, errors, read_signer, run
from greenreg.cli.outcomes import Exit
from greenreg.cli.terminal import printable, shown
from greenreg.errors import GreenregError, NotFoundError
from greenreg.events.signing import b64encode, check_public_key
from greenreg.key_formats import read_public_key
from greenreg.receipts import compact, issue_green_code, qr_code, read_receipt, verify_receipt
from greenreg.registry.application import Registry
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


def _policy(keys: list[Path] | None, required: int | None) -> WitnessPolicy | None:
    if not keys and not required:
        return None
    files = keys or []
    return read_policy(files, len(files) if required is None else required)


def _check_witnessed(log: LogTables, policy: WitnessPolicy, report: Report) -> None:
    """The latest checkpoint the witnesses cosigned must meet the policy."""
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
    behind = log.log_size() - size
    report.notes.append(
        f"the checkpoint of size {size} is cosigned by {', '.join(valid) or 'no witness'} "
        f"({len(valid)} of the {policy.required} required)"
        + (f"; the {behind} entries after it are not yet witnessed" if behind else "")
    )


PublicKeyFile = Annotated[
    Path | None,
    typer.Option("--root-public-key", help="The root public key file: the trust anchor."),
]


def _public_key(path: Path) -> bytes:
    key = read_public_key(path)
    check_public_key(key)
    return key


def _check_read_models(registry: Registry, database: str | None, report: Report) -> None:
    """A live database's read models must equal a rebuild from its log (not for ``--as-of``,
    which looks at the log as it stood then, nor for an export, which has no read models)."""
    store = open_read_store(database)
    try:
        problems = read_model_problems(registry, store)
    finally:
        store.close()
    report.problems.extend(problems)
    if not problems:
        report.notes.append("the read models equal a rebuild from the log")


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


@app.command()
def verify(  # noqa: PLR0917 (one parameter per option, as typer reads them)
    database: Database = None,
    from_dir: Annotated[
        Path | None, typer.Option("--from", help="Verify an export directory, offline.")
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
) -> None:
    """Audit replay with public keys only: signatures, keys, competence, rules, Merkle log;
    with a witness policy, the latest cosigned checkpoint has the cosignatures it requires."""

    def action() -> Report:
        policy = _policy(witness_key, witnesses_required)
        if policy is not None and from_dir:
            raise GreenregError("an export carries no cosignatures yet: verify a database")
        anchor = _public_key(root_public_key) if root_public_key else None
        day = _day(as_of) if as_of else None
        registry = None if from_dir else open_registry(database)
        try:
            source: AuditSource = (
                ExportSource(from_dir) if from_dir else DatabaseSource(_log(registry))  # type: ignore[arg-type]
            )
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
                report = audit.run()
            if registry is not None and day is None:
                _check_read_models(registry, database, report)
            if registry is not None and policy is not None:
                _check_witnessed(_log(registry), policy, report)
            return report
        finally:
            if registry is not None:
                registry.close()

    report = run(action)
    if root_public_key is None:
        console.print("note: no --root-public-key given; trusting the root key the log declares")
    console.print(
        f"{report.events} events, {report.signatures} signatures, "
        f"{report.checkpoints} checkpoints; root {report.root}"
    )
    for note in report.notes:
        console.print(f"note: {shown(note)}")
    if report.ok:
        console.print("[green]verified[/green]: every check holds")
        return
    for problem in report.problems:
        console.print(f"[red]problem[/red] {shown(problem)}")
    console.print(f"[red]{len(report.problems)} problem(s)[/red]")
    raise typer.Exit(Exit.PROBLEM_FOUND)


@app.command()
def export(directory: Annotated[Path, typer.Argument()], database: Database = None) -> None:
    """Write the signed log, checkpoints and public keys to DIRECTORY for offline inspection."""

    def action() -> int:
        registry = open_registry(database)
        try:
            return write_export(DatabaseSource(_log(registry)), directory)
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
        registry = open_registry(database)
        try:
            declaration = declare(registry, read_signer(root_key), datetime.now(UTC))
            return str(declaration["act"]["log_key_id"])
        finally:
            registry.close()

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
    file: Annotated[Path, typer.Argument(help="A receipt or green code (JSON).")],
    log_public_key: Annotated[
        Path, typer.Option("--log-public-key", help="The registry's log public key file.")
    ],
    witness_key: WitnessKeys = None,
    witnesses_required: WitnessesRequired = None,
) -> None:
    """Check a receipt offline: its signature and its checkpoint's, by the log key; with a
    witness policy, its checkpoint's cosignatures too.

    Exit status 1 when the receipt is not valid (altered, signed by another key, or its
    checkpoint short of the witnesses the policy requires)."""
    key = _public_key(log_public_key)
    policy = run(lambda: _policy(witness_key, witnesses_required))
    text = file.read_text("utf-8")
    try:
        body = verify_receipt(read_receipt(text), key)
        if policy is not None:
            check_witnessed(body["checkpoint"], policy)
    except GreenregError as error:
        errors.print(f"[red]not valid[/red]: {shown(error)}")
        raise typer.Exit(Exit.PROBLEM_FOUND) from None
    console.print(
        f"[green]valid[/green] {shown(body['kind'])} receipt issued {shown(body['issued_at'])}"
    )
    answer = json.dumps(body["answer"], ensure_ascii=False, indent=2)
    console.out("\n".join(printable(line) for line in answer.split("\n")), highlight=False)


@receipt_app.command("green-code")
def green_code(
    unit: Annotated[str, typer.Argument(help="The unit's id or credit code.")],
    out: Annotated[Path, typer.Option(help="Directory for green-code.json and .png")] = Path("."),
    database: Database = None,
) -> None:
    """A unit's green code: its designations in force, signed, with a QR code."""

    def action() -> dict[str, object]:
        registry = open_registry(database)
        try:
            log = _log(registry)
            if log.log_signer is None:
                raise NotFoundError("this registry has no log key")
            note = TransparencyLog(log).checkpoint().note
            return issue_green_code(log.log_signer, note, registry.unit(unit), datetime.now(UTC))
        finally:
            registry.close()

    receipt = run(action)
    out.mkdir(parents=True, exist_ok=True)
    (out / "green-code.json").write_text(compact(receipt) + "\n", encoding="utf-8")
    qr_code(receipt).save(str(out / "green-code.png"), scale=4)
    console.print(f"green code written to {out / 'green-code.json'} and green-code.png")
