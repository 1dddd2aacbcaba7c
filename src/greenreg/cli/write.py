"""Commands of the write side: keys, founding, authorities, acts, units, the raw event list."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID, uuid5

import typer
from rich.table import Table

from greenreg.bootstrap import Greenreg, open_greenreg
from greenreg.cli.common import Database, app, console, read_signer, run
from greenreg.cli.terminal import printable, shown
from greenreg.errors import ActFormatError, GreenregError
from greenreg.events.acts import parse_act, sign_act
from greenreg.events.canonical import canonical_bytes, parse_json
from greenreg.events.issuer import Issuer
from greenreg.events.signing import Ed25519Signer, b64decode, b64encode
from greenreg.key_files import publish
from greenreg.key_formats import private_key_text, public_key_text, read_public_key
from greenreg.registry.application import Receipt, Registry
from greenreg.registry.checkpoints import declared_key_id
from greenreg.storage.log_key import declare

keys_app = typer.Typer(help="Make and inspect Ed25519 keys.")
authority_app = typer.Typer(help="Register authorities and their keys (signed by the root key).")
app.add_typer(keys_app, name="keys")
app.add_typer(authority_app, name="authority")

ACT_NAMESPACE = UUID("0f5e7f4c-3b1a-4d8e-9c2b-7a6d5e4f3a21")
RootKey = Annotated[Path, typer.Option("--root-key", help="The registry's root private key file.")]


@contextmanager
def _opened(database: str | None) -> Iterator[Greenreg]:
    """The registry with its read models: a write returns once the read models show it."""
    greenreg = open_greenreg(database)
    try:
        yield greenreg
    finally:
        greenreg.close()


def _print_receipt(receipt: Receipt) -> None:
    console.print(shown(receipt.message))
    for event in receipt.events:
        where = f" at position {event.position}" if event.position is not None else ""
        console.print(
            f"  {shown(event.type)} on {event.aggregate_id} (version {event.version}){where}"
        )
    for flag in receipt.flags:
        console.print(
            f"  [yellow]flag[/yellow] {shown(flag['code'])} ({shown(flag['rule'])}): "
            f"{shown(flag['message'])}"
        )


@keys_app.command("new")
def keys_new(
    name: Annotated[str, typer.Argument(help="File name stem, e.g. root or miit.")],
    directory: Annotated[Path, typer.Option("--dir", help="Where to write the key.")] = Path(
        "keys"
    ),
) -> None:
    """Make an Ed25519 key pair: NAME.key (the private key as PKCS#8 PEM, mode 0600: keep it
    safe) and NAME.pub (the public key, base64, as the registry publishes it)."""
    directory.mkdir(parents=True, exist_ok=True)
    private, public = directory / f"{name}.key", directory / f"{name}.pub"
    signer = Ed25519Signer.generate()
    if not publish(private, private_key_text(signer), mode=0o600, replace=False):
        raise GreenregError(f"{private} exists; a key is never overwritten")
    publish(public, public_key_text(signer.public_key), mode=0o644, replace=True)
    console.print(f"key {signer.key_id}: private {private}, public {public}")


@app.command()
def init(
    root_key: RootKey,
    name: Annotated[str, typer.Option(help="The registry's name.")] = "greenreg",
    database: Database = None,
) -> None:
    """Found the registry under its root key (the trust anchor inspectors check against).

    The root also declares the registry's log key, so inspectors trust its checkpoints and
    receipts from the first write (``greenreg log declare-key`` rotates it later)."""
    root = Issuer("root", read_signer(root_key))
    act = root.act(
        "found_registry",
        effective_date=datetime.now(UTC).date(),
        document=f"founding of {name}",
        name=name,
        root_public_key=b64encode(root.signer.public_key),
    )
    with _opened(database) as greenreg:
        _print_receipt(run(lambda: greenreg.submit(act)))
        declaration = run(
            lambda: declare(greenreg.registry, root.signer, datetime.now(UTC), greenreg.submit)
        )
    console.print(f"log key {declared_key_id(declaration)} declared by the root key")


@authority_app.command("add")
def authority_add(  # noqa: PLR0917 (typer maps each parameter to an option)
    code: Annotated[str, typer.Argument(help="Short code, e.g. miit or cq-eit.")],
    name: Annotated[str, typer.Option(help="The authority's name.")],
    jurisdiction: Annotated[str, typer.Option(help="CN, or a GB/T 2260 code such as 500000.")],
    programme: Annotated[list[str], typer.Option(help="A programme it designates; repeatable.")],
    public_key: Annotated[Path, typer.Option("--public-key", help="Its public key file (.pub).")],
    root_key: RootKey,
    document: Annotated[str, typer.Option(help="The document that founds its competence.")] = "",
    database: Database = None,
) -> None:
    """Register an authority and its first key, both signed by the root key."""
    root = Issuer("root", read_signer(root_key))
    today = datetime.now(UTC).date()
    document = document or f"registration of {code}"
    register = root.act(
        "register_authority",
        effective_date=today,
        document=document,
        code=code,
        name=name,
        jurisdiction=jurisdiction,
        programmes=programme,
    )
    add_key = root.act(
        "add_key",
        effective_date=today,
        document=document,
        for_authority=code,
        public_key=b64encode(read_public_key(public_key)),
        valid_from=datetime.now(UTC).isoformat(),
        valid_until=None,
    )
    with _opened(database) as greenreg:
        _print_receipt(run(lambda: greenreg.submit(register)))
        _print_receipt(run(lambda: greenreg.submit(add_key)))


@authority_app.command("revoke-key")
def authority_revoke_key(
    code: Annotated[str, typer.Argument(help="The authority's code.")],
    key_id: Annotated[str, typer.Argument(help="The key id to revoke.")],
    reason: Annotated[str, typer.Option(help="Why (compromised, retired, ...).")],
    root_key: RootKey,
    database: Database = None,
) -> None:
    """Revoke an authority's key from now on."""
    root = Issuer("root", read_signer(root_key))
    now = datetime.now(UTC)
    act = root.act(
        "revoke_key",
        effective_date=now.date(),
        document=f"revocation: {reason}",
        for_authority=code,
        revoked_key_id=key_id,
        revoked_at=now.isoformat(),
        reason=reason,
    )
    with _opened(database) as greenreg:
        _print_receipt(run(lambda: greenreg.submit(act)))


def _read_act(file: Path, key: Path | None) -> Any:
    """The act in ``file`` ('-': standard input), signed with ``key`` if one is given.

    When signing, a missing signed_at is now, and a missing act_id is derived from the act's
    content, so the same file signed twice is the same act and is recorded once. The signed act
    is then read as the registry reads it (every field present and of its type, the text
    rules), so an act the registry would refuse as malformed is refused here, unsigned.
    """
    text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    document = parse_json(text)
    if key is None:
        return document
    signer = read_signer(key)
    if not isinstance(document, dict):
        raise ActFormatError("an act is a JSON object with 'type', 'authority', ...")
    if {"act", "signature"} <= set(document):
        raise ActFormatError(f"{file} is already signed: submit it as it is")
    body = dict(document)
    body.setdefault("act_id", str(uuid5(ACT_NAMESPACE, canonical_bytes(body).hex())))
    body.setdefault("signed_at", datetime.now(UTC).isoformat())
    signed = sign_act(body, signer)
    signature = b64decode(signed["signature"], "signature")
    try:
        parse_act(body, canonical_bytes(body), signer.key_id, signature)
    except ActFormatError as error:
        raise type(error)(f"not signed, the registry would refuse this act: {error}") from None
    return signed


@app.command()
def sign(
    file: Annotated[Path, typer.Argument(help="The act as JSON; '-' reads standard input.")],
    key: Annotated[Path, typer.Option(help="The authority's private key file.")],
) -> None:
    """Sign an act and print the signed envelope, e.g. to POST it to /api/v1/acts."""
    signed = json.dumps(run(lambda: _read_act(file, key)), ensure_ascii=False)
    console.out(printable(signed), highlight=False)


@app.command()
def act(
    file: Annotated[Path, typer.Argument(help="The act as JSON; '-' reads standard input.")],
    key: Annotated[Path | None, typer.Option(help="Sign with this private key file.")] = None,
    database: Database = None,
) -> None:
    """Sign (with --key) and submit an act. An already signed act is submitted as it is.

    Submitting the same file twice records it once (see ``greenreg sign``).
    """
    with _opened(database) as greenreg:
        _print_receipt(run(lambda: greenreg.submit(_read_act(file, key))))


@app.command()
def unit(
    reference: Annotated[str, typer.Argument(help="A unit id or credit code.")],
    database: Database = None,
) -> None:
    """Show a unit as the write side sees it: names, designations, bans."""
    with _opened(database) as greenreg:
        found = run(lambda: greenreg.registry.unit(reference))
    state = found.state
    console.print(f"[bold]{shown(state.name)}[/bold] ({shown(state.kind)}) {found.id}")
    console.print(
        f"credit code {shown(state.credit_code or '-')}, division {shown(state.division)}"
    )
    names = [*state.former_names, (state.name, state.named_since)]
    for (former, since), (_, next_since) in pairwise(names):
        console.print(f"  formerly {shown(former)} ({since} to {next_since - timedelta(days=1)})")
    table = Table("programme", "jurisdiction", "status", "since", "document", "batch", "grade")
    for d in state.designations.values():
        cells = (
            d.programme,
            d.jurisdiction,
            d.status,
            d.since,
            d.document_number,
            d.batch,
            d.grade,
        )
        table.add_row(*(shown(cell or "") for cell in cells))
    console.print(table)
    for ban in state.bans:
        console.print(
            f"  [red]ban[/red] {shown(', '.join(ban.programmes))} in "
            f"{shown(', '.join(ban.jurisdictions))}: {ban.first_day} to {ban.last_day} "
            f"inclusive ({shown(ban.rule)})"
        )


@app.command()
def events(database: Database = None) -> None:
    """Print every stored event as JSON lines: position, type, signed act, signature, key id."""
    with _opened(database) as greenreg:
        _print_events(greenreg.registry)


def _print_events(registry: Registry, page: int = 1000) -> None:
    """Each event with its log position: its leaf index, from 0, as the log's proofs, the API
    and the read models number it (not the store's notification id)."""
    start = 1
    while notifications := registry.recorder.select_notifications(start=start, limit=page):
        positions = registry.log_positions(notifications)
        for notification, position in zip(notifications, positions, strict=True):
            _print_event(registry, notification, position)
        start = notifications[-1].id + 1


def _print_event(registry: Registry, notification: Any, position: int) -> None:
    event: Any = registry.mapper.to_domain_event(notification)
    line = {
        "position": position,
        "type": type(event).__name__,
        "recorded": event.timestamp.isoformat(),
        "signed_act": getattr(event, "signed_act", None),
        "signature": getattr(event, "signature", None),
        "key_id": getattr(event, "key_id", None),
    }
    console.out(printable(json.dumps(line, ensure_ascii=False)), highlight=False)
