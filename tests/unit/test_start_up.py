"""The command line starts without the modules only some commands need.

Every ``greenreg`` command imports the whole command line first: ``verify --since`` has a
budget of 5 s, a tenth of it was psycopg (needed by PostgreSQL stores only), setuptools'
``pkg_resources`` (which zhconv imports to find its dictionary, a file beside its module) and
httpx (needed by the commands that talk to another server). Each check runs in a fresh
interpreter, where nothing was imported before.
"""

from __future__ import annotations

import psycopg

from greenreg.outages import is_outage, outage_errors
from tests.support import in_fresh_interpreter

LATER = ("psycopg", "psycopg_pool", "pkg_resources", "httpx", "fastapi", "strawberry")
"""Packages the command line imports only in the commands that need them."""

START = """
import json, sys
import greenreg.cli
from greenreg.matching.normalise import parse, simplified
name = parse("蘇州工業園區（江蘇）有限公司")
print(json.dumps({
    "loaded": sorted({m.split(".")[0] for m in sys.modules} & set(LATER)),
    "simplified": simplified("蘇州工業園區"),
    "core": name.core,
    "qualifier": name.qualifier,
}))
"""


def test_the_command_line_starts_without_the_driver_setuptools_or_an_http_client() -> None:
    report = in_fresh_interpreter(f"LATER = {LATER!r}\n{START}")
    assert report["loaded"] == []
    # zhconv read its dictionary from its own file all the same.
    assert report["simplified"] == "苏州工业园区"
    assert (report["core"], report["qualifier"]) == ("苏州工业园区", "江苏")


def test_psycopg_errors_are_outages_once_a_store_can_raise_them() -> None:
    errors = outage_errors(postgres=True)
    assert psycopg.OperationalError in errors
    assert psycopg.InterfaceError in errors
    assert is_outage(psycopg.OperationalError("the server closed the connection"))
    assert not is_outage(psycopg.errors.UndefinedTable("no such table"))
