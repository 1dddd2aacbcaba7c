"""Commands of the shipped public lists: import.

``greenreg import --shipped`` loads the MIIT national lists shipped with greenreg (founding the
registry first if the store is empty); ``greenreg import FILE --announcement ... --date ...``
imports one new announcement's list (CSV or XLSX in the published layout). Each announcement is
one transaction; importing it again records nothing new.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from greenreg.bootstrap import Greenreg, open_greenreg
from greenreg.cli.common import Database, app, console, errors, run
from greenreg.cli.terminal import shown
from greenreg.errors import GreenregError
from greenreg.events.issuer import Issuer
from greenreg.events.vocabulary import Programme
from greenreg.importer.announcements import announcement_of_file
from greenreg.importer.keys import DEFAULT_KEYS_DIR, TRANSCRIBER_KEY, read_key
from greenreg.importer.lists import read_list
from greenreg.importer.loading import (
    ImportResult,
    check_transcriber,
    import_announcement,
    import_shipped,
    load_shipped_lists,
)
from greenreg.importer.progress import rich_progress
from greenreg.importer.transcription import TRANSCRIBER_CODE


@app.command("import")
def import_lists(  # noqa: PLR0917 (typer maps each parameter to an argument or option)
    file: Annotated[
        Path | None, typer.Argument(help="An announcement's list: .csv or .xlsx, published layout.")
    ] = None,
    shipped: Annotated[
        bool, typer.Option("--shipped", help="Load the MIIT lists 2017-2021 shipped with greenreg.")
    ] = False,
    announcement: Annotated[
        str | None,
        typer.Option(help="The notice's document number (文号), or its title if it has none."),
    ] = None,
    effective: Annotated[
        str | None, typer.Option("--date", help="The notice's date, YYYY-MM-DD.")
    ] = None,
    batch: Annotated[
        str | None, typer.Option(help="The batch as designations record it, e.g. 第七批.")
    ] = None,
    programme: Annotated[
        Programme | None, typer.Option(help="The list's programme (default: from its header).")
    ] = None,
    keys: Annotated[
        Path, typer.Option("--keys", help="Key directory (root.key, transcriber.key).")
    ] = DEFAULT_KEYS_DIR,
    authority: Annotated[
        str, typer.Option(help="The authority that signs the import.")
    ] = TRANSCRIBER_CODE,
    key: Annotated[
        Path | None, typer.Option(help="Its private key file (default: KEYS/transcriber.key).")
    ] = None,
    database: Database = None,
) -> None:
    """Import published lists as signed acts: the shipped MIIT lists, or one announcement's file.

    On an empty store, --shipped makes the keys it needs in --keys (never overwriting one),
    founds the registry and registers the transcription authority first.
    """
    if shipped == (file is not None):
        errors.print("[red]refused[/red]: give either a list FILE or --shipped")
        raise typer.Exit(2)
    greenreg = run(lambda: open_greenreg(database))
    try:
        if file is None:
            results = run(lambda: _import_shipped(greenreg, keys, authority, key))
        else:
            results = run(
                lambda: _import_file(
                    greenreg, file, announcement, effective, batch, programme, keys, authority, key
                )
            )
    finally:
        greenreg.close()
    for result in results:
        console.print(shown(result.summary))


def _import_shipped(
    greenreg: Greenreg, keys: Path, authority: str, key: Path | None
) -> list[ImportResult]:
    with rich_progress(errors) as progress:
        if not greenreg.registry.event_count():
            console.print(f"empty store: founding the registry with the keys in {keys}/")
            return load_shipped_lists(greenreg, keys, progress) or []
        issuer = _issuer(greenreg, keys, authority, key)
        return import_shipped(greenreg, issuer, progress)


def _import_file(  # noqa: PLR0917
    greenreg: Greenreg,
    file: Path,
    announcement: str | None,
    effective: str | None,
    batch: str | None,
    programme: Programme | None,
    keys: Path,
    authority: str,
    key: Path | None,
) -> list[ImportResult]:
    if not announcement or not effective:
        raise GreenregError(
            "a list file needs --announcement (the notice's 文号, or its title) and --date"
        )
    try:
        effective_date = date.fromisoformat(effective)
    except ValueError:
        raise GreenregError(
            f"--date must be a date written YYYY-MM-DD, not {effective!r}"
        ) from None
    list_file = read_list(file, programme)
    label = batch or next((b for b in list_file.batches() if b), "")
    notice = announcement_of_file(
        list_file, label=label, document=announcement, effective_date=effective_date
    )
    issuer = _issuer(greenreg, keys, authority, key)
    with rich_progress(errors) as progress:
        return [import_announcement(greenreg, issuer, notice, progress)]


def _issuer(greenreg: Greenreg, keys: Path, authority: str, key: Path | None) -> Issuer:
    check_transcriber(greenreg, authority)
    if key is None:
        return Issuer(authority, read_key(keys, TRANSCRIBER_KEY))
    return Issuer(authority, read_key(key.parent, key.name.removesuffix(".key")))
