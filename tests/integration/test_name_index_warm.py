"""A serving worker builds the lookup's name index before it serves, not at the first lookup.

The name index (every name of every unit, by bigram: :mod:`greenreg.projections.name_index`)
took 0.4 s to build at 100,000 events and seconds at 1,000,000; built by the first lookup after
a start, that visitor waited for it, and so did the lookups behind it.
"""

from __future__ import annotations

from tests.support import World, in_fresh_interpreter

SERVE = """
import json, os
os.environ["GREENREG_DATABASE_URL"] = URL
os.environ["GREENREG_WEBHOOK_WORKER"] = "0"
from fastapi.testclient import TestClient
from greenreg.api.server import app_from_environment
from greenreg.projections import name_index

app = app_from_environment()  # as each of greenreg serve's workers starts

def built_late(self, entries):
    raise AssertionError("the name index was built at the first lookup")

name_index.NameIndex.__init__ = built_late
with TestClient(app) as client:
    found = client.get("/api/v1/lookup", params={"q": "苏州工业园"})
print(json.dumps({"status": found.status_code, "body": found.json()}))
"""


def test_a_worker_has_its_name_index_before_the_first_lookup(
    world: World, database_url: str
) -> None:
    world.register("js-eit", "苏州工业园区", "320500")
    report = in_fresh_interpreter(f"URL = {database_url!r}\n{SERVE}")
    assert report["status"] == 200, report["body"]
    assert [hit["unit"]["name"] for hit in report["body"]["hits"]] == ["苏州工业园区"]
