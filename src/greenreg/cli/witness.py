"""``greenreg witness``: an independent witness of transparency logs, over HTTP (C2SP tlog-witness).

The witness has its own Ed25519 key (a PKCS#8 PEM file, mode 0600, made on first use if the
file does not exist, or the PEM text in ``GREENREG_WITNESS_KEY_PEM``) and its own SQLite file of
the last checkpoint it cosigned per log, which never holds the key. It follows the logs whose
verifier keys it is given (``--log``, or ``--logs FILE`` with one per line): the
``verifier_key`` a registry publishes at ``/api/v1/log/keys``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from greenreg.cli.common import app, console, run
from greenreg.errors import GreenregError, KeyFileError
from greenreg.events.signing import Ed25519Signer
from greenreg.key_custody import key_from_pem, read_key_file
from greenreg.key_files import publish
from greenreg.key_formats import private_key_text
from greenreg.registry.checkpoints import check_key_name
from greenreg.witness.cosignature import witness_vkey

PEM_VARIABLE = "GREENREG_WITNESS_KEY_PEM"


WHAT = "witness key"


def witness_key(path: Path | None) -> Ed25519Signer:
    """The witness key: PKCS#8 PEM text in ``GREENREG_WITNESS_KEY_PEM``, or the file ``path``
    (``--key``, ``GREENREG_WITNESS_KEY``), a new one written there (0600) if there is no file;
    a file other users may read is refused (:mod:`greenreg.key_custody`)."""
    pem = os.environ.get(PEM_VARIABLE)
    if pem and path is not None:
        raise KeyFileError(
            f"the {WHAT} is given twice, as a file (--key, GREENREG_WITNESS_KEY) and as PEM "
            f"text ({PEM_VARIABLE}): give one"
        )
    if pem:
        return key_from_pem(pem, PEM_VARIABLE, WHAT)
    if path is None:
        raise KeyFileError(
            f"give the witness's key: --key FILE (GREENREG_WITNESS_KEY), made on first use, or "
            f"its PEM text in {PEM_VARIABLE}"
        )
    if not path.exists():
        signer = Ed25519Signer.generate()
        if publish(path, private_key_text(signer), mode=0o600, replace=False):
            return signer
    return read_key_file(path, WHAT)


def log_vkeys(given: list[str], logs_file: Path | None) -> list[str]:
    vkeys = list(given)
    if logs_file is not None:
        lines = logs_file.read_text("utf-8").splitlines()
        vkeys += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if not vkeys:
        raise GreenregError("name the logs to witness: --log VERIFIER-KEY or --logs FILE")
    return vkeys


@app.command()
def witness(  # noqa: PLR0917 (one parameter per option, as typer reads them)
    name: Annotated[
        str,
        typer.Option(
            help="The witness's name, e.g. witness.example.org/w1 (no space or plus sign)."
        ),
    ],
    key: Annotated[
        Path | None,
        typer.Option(
            envvar="GREENREG_WITNESS_KEY",
            help="The witness's private key file (PKCS#8 PEM; made, mode 0600, if absent; "
            "refused if other users may read it); or give the PEM text in "
            f"{PEM_VARIABLE}.",
        ),
    ] = None,
    state: Annotated[
        Path, typer.Option(help="The witness's SQLite file: the last checkpoint per log.")
    ] = Path("witness.db"),
    log: Annotated[
        list[str] | None,
        typer.Option("--log", help="A log's verifier key (origin+hash+base64); repeatable."),
    ] = None,
    logs: Annotated[
        Path | None, typer.Option("--logs", help="A file of log verifier keys, one a line.")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8100,
    vkey: Annotated[
        bool, typer.Option("--vkey", help="Print the witness's verifier key and stop.")
    ] = False,
) -> None:
    """Cosign checkpoints of the given logs after checking they extend what it cosigned before."""
    try:
        check_key_name(name, "the witness name")
    except GreenregError as error:
        raise typer.BadParameter(str(error), param_hint="--name") from None
    signer = run(lambda: witness_key(key))
    if vkey:
        console.print(witness_vkey(name, signer.public_key), highlight=False)
        return
    import uvicorn  # noqa: PLC0415 (the web stack: serving only)

    from greenreg.witness.app import witness_app  # noqa: PLC0415
    from greenreg.witness.service import Witness, trusted_logs  # noqa: PLC0415
    from greenreg.witness.state import WitnessState  # noqa: PLC0415

    followed = run(lambda: trusted_logs(log_vkeys(log or [], logs)))
    store = WitnessState(state)
    try:
        console.print(
            f"witness {name} ({witness_vkey(name, signer.public_key)}) of "
            f"{', '.join(sorted(followed))} on http://{host}:{port}/add-checkpoint",
            highlight=False,
        )
        uvicorn.run(
            witness_app(Witness(name, signer, followed, store)),
            host=host,
            port=port,
            log_level=os.environ.get("GREENREG_WITNESS_LOG_LEVEL", "warning"),
        )
    finally:
        store.close()
