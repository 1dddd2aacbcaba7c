"""``greenreg rules``: which rulebook governs which lists, from when (signed by the root key)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from greenreg.bootstrap import open_greenreg
from greenreg.cli.common import Database, app, console, read_signer, run
from greenreg.cli.write import RootKey, _print_receipt
from greenreg.events.issuer import Issuer
from greenreg.importer.rules import adoption_act
from greenreg.registry.authority import ROOT

rules_app = typer.Typer(
    help="Adopt a rulebook for a jurisdiction's lists from a day on, and list the adoptions."
)
app.add_typer(rules_app, name="rules")


@rules_app.command("adopt")
def rules_adopt(  # noqa: PLR0917 (typer maps each parameter to an option)
    rulebook: Annotated[
        str,
        typer.Argument(help="national, chongqing, zhejiang, provincial (003) or eco_parks."),
    ],
    jurisdiction: Annotated[
        str, typer.Option(help="CN, 500000, 330000, or for 003 the province that enacted it.")
    ],
    first_day: Annotated[str, typer.Option("--from", help="The first day in force, YYYY-MM-DD.")],
    document: Annotated[str, typer.Option(help="The document that enacted the rules (文号).")],
    root_key: RootKey,
    until: Annotated[
        str | None, typer.Option(help="The last day in force (inclusive); none: no end date.")
    ] = None,
    database: Database = None,
) -> None:
    """Declare, signed by the root key, that RULEBOOK governs the lists of --jurisdiction from
    --from (through --until). Acts on those lists taking effect in that period are judged by it;
    the same adoption signed twice is recorded once."""
    root = Issuer(ROOT, read_signer(root_key))
    greenreg = open_greenreg(database)
    try:
        now = greenreg.registry.clock()
        act = adoption_act(root, rulebook, jurisdiction, first_day, until, document, now)
        _print_receipt(run(lambda: greenreg.submit(act)))
    finally:
        greenreg.close()


@rules_app.command("list")
def rules_list(database: Database = None) -> None:
    """Every adoption, in the order the root signed them."""
    greenreg = open_greenreg(database)
    try:
        rules = greenreg.queries.rules()
    finally:
        greenreg.close()
    table = Table("rulebook", "text", "jurisdiction", "in force from", "until", "enacted by")
    for rule in rules:
        until = str(rule.in_force_until) if rule.in_force_until else "(no end date)"
        table.add_row(
            rule.rulebook,
            rule.text,
            rule.jurisdiction,
            str(rule.in_force_from),
            until,
            rule.document_number,
        )
    console.print(table)
