"""A projection failure is never silent, on both databases.

The failure is real: an event is recorded by the registry, then its stored bytes are replaced
with plain SQL by something the projection cannot read, before the read models fold it. Then:

- ``/healthz`` is degraded (HTTP 503) with the lag and the event's log position;
- ``/metrics`` shows the lag and the failure;
- every read answer says it is behind the log (body and header);
- a new act is refused with 503 before anything is recorded, and so is a bulk job (its
  answers could not hold all that was recorded before it);
- ``greenreg verify`` fails and says the read models are behind;
- ``greenreg rebuild`` fails in one line naming the event's position, and changes nothing;
- once the event is mended, all of it clears.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from greenreg.api.encoding import DATA_VERSION_HEADER
from greenreg.cli import app
from greenreg.events.signing import b64encode
from greenreg.projections.schema import read_model_rows
from tests.e2e.support import facade_of, refusal_of
from tests.integration.jobs_support import stored_jobs, submit
from tests.integration.test_tamper import Tamperer
from tests.support import World

runner = CliRunner()


def gauges(client: TestClient) -> dict[str, float]:
    text = client.get("/metrics").text
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        if family.name.startswith("greenreg_read_models")
        for sample in family.samples
    }


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_an_event_the_read_models_cannot_fold_stops_writes_and_says_so(
    client: TestClient, world: World, database_url: str, tmp_path: Path
) -> None:
    facade = facade_of(client)
    # A unit, folded and served.
    park = world.register("js-eit", "苏州工业园区", "320505")
    facade.projector.catch_up()
    assert client.get("/healthz").json()["read_models"]["behind"] == 0
    assert gauges(client) == {"greenreg_read_models_behind": 0, "greenreg_read_models_failing": 0}

    # A second unit is recorded; before the read models fold it, its stored event is replaced
    # by bytes the projection cannot read.
    other = world.register("js-eit", "苏州新区", "320505")
    db = Tamperer(database_url)
    key = (db.db_id(other), 1)
    where = "WHERE originator_id = ? AND originator_version = ?"
    good = bytes(db.execute(f"SELECT state FROM {{events}} {where}", key)[0][0])  # noqa: S608
    db.execute(f"UPDATE {{events}} SET state = ? {where}", (b"{not json", *key))  # noqa: S608
    position = world.registry.recorder.log_size() - 1
    folded = read_model_rows(facade.queries.store)

    # /healthz: degraded, with the lag and the event's position.
    health = client.get("/healthz")
    assert health.status_code == 503
    body = health.json()
    assert body["status"] == "degraded"
    assert body["read_models"]["behind"] == 1
    assert body["read_models"]["log_size"] == position + 1
    assert f"log position {position}" in body["read_models"]["error"]
    # /metrics: the lag and the failure.
    assert gauges(client) == {"greenreg_read_models_behind": 1, "greenreg_read_models_failing": 1}

    # Reads still answer, and say they are behind the log.
    read = client.get(f"/api/v1/units/{park}")
    assert read.status_code == 200
    assert read.json()["data_version"]["behind"] is True
    assert "behind=yes" in read.headers[DATA_VERSION_HEADER]

    # A new, valid act is refused before anything is recorded.
    before = world.snapshot()
    act = world.act("js-eit", "register_unit", effective_date="2017-01-01", kind="park",
                    name="苏州吴中经济技术开发区", credit_code=None, division="320506")  # fmt: skip
    refused = client.post("/api/v1/acts", json=act)
    assert refused.status_code == 503
    _, code, detail = refusal_of(refused)
    assert code == "read_models_stalled"
    assert f"log position {position}" in detail
    assert world.snapshot() == before
    jobs = stored_jobs(client)
    refused = submit(client, "ref\n91320505MA1P7XQC3C\n", format="csv")
    assert refused.status_code == 503
    _, code, detail = refusal_of(refused)
    assert code == "read_models_stalled"
    assert f"log position {position}" in detail
    assert stored_jobs(client) == jobs

    # greenreg verify fails, saying the read models are behind, and why.
    root = tmp_path / "root.pub"
    root.write_text(b64encode(world.root.signer.public_key) + "\n")
    status, output = cli("verify", "--database", database_url, "--root-public-key", str(root))
    assert status == 1
    [behind] = [line for line in output.splitlines() if "behind the log" in line]
    assert f"cannot fold the event at log position {position}" in behind

    # greenreg rebuild fails in one line naming the event, and changes nothing.
    status, output = cli("rebuild", "--database", database_url)
    assert status == 4  # a failure of the store, not a refusal of the caller's input
    [line] = [line for line in output.splitlines() if "read_models_stalled" in line]
    assert f"log position {position}" in line
    assert "Traceback" not in output
    assert read_model_rows(facade.queries.store) == folded

    # Mended: the next health check folds the event; writes are accepted again.
    db.execute(f"UPDATE {{events}} SET state = ? {where}", (good, *key))  # noqa: S608
    assert client.get("/healthz").json()["status"] == "ok", client.get("/healthz").json()
    assert gauges(client) == {"greenreg_read_models_behind": 0, "greenreg_read_models_failing": 0}
    assert client.post("/api/v1/acts", json=act).status_code == 201
    assert client.get(f"/api/v1/units/{park}").json()["data_version"]["behind"] is False


def test_verify_passes_when_the_read_models_are_caught_up(
    client: TestClient, world: World, database_url: str, tmp_path: Path
) -> None:
    # The same registry without the broken event: nothing about the read models is a problem.
    world.register("js-eit", "苏州工业园区", "320505")
    facade_of(client).projector.catch_up()
    status, output = cli("verify", "--database", database_url)
    assert "behind the log" not in output
    assert "the read models equal a rebuild from the log" in output, output
    _ = status  # the checkpoints of a world without a log key are a problem of their own
