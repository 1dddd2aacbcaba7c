"""What operators rely on: /healthz, /metrics in Prometheus format, one JSON log line per
request, and the OpenAPI document at /docs. Both databases."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from greenreg.api.request_log import JSONFormatter
from tests.support import World


def test_healthz_says_ok_and_counts_the_events(client: TestClient, world: World) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    events = len(world.snapshot())
    assert response.json() == {
        "status": "ok",
        "events": events,
        "read_models": {"log_size": events, "folded": events, "behind": 0},
    }


def test_metrics_count_requests_by_route_template_and_status(client: TestClient) -> None:
    client.get("/healthz")
    client.get("/api/v1/units/not-a-unit")
    client.get("/api/v1/units/also-not-a-unit")
    client.get("/no/such/page")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {
        (s.labels["method"], s.labels["route"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(response.text)
        if family.name == "greenreg_http_requests"
        for s in family.samples
        if s.name.endswith("_total")
    }
    assert samples[("GET", "/healthz", "200")] == 1
    assert samples[("GET", "/api/v1/units/{ref}", "422")] == 2
    assert samples[("GET", "unmatched", "404")] == 1


def test_each_request_is_logged_as_one_json_line(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="greenreg.http"):
        client.get("/healthz")
    [record] = [r for r in caplog.records if r.name == "greenreg.http"]

    line = json.loads(JSONFormatter().format(record))

    assert line["level"] == "info"
    assert (line["method"], line["path"], line["route"], line["status"]) == (
        "GET",
        "/healthz",
        "/healthz",
        200,
    )
    assert line["duration_ms"] >= 0
    assert line["time"].endswith("+00:00")


def test_the_openapi_document_lists_the_rest_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/v1/acts",
        "/api/v1/units/{ref}",
        "/api/v1/units/{ref}/history",
        "/api/v1/lookup",
        "/api/v1/lists/{programme}",
        "/api/v1/bans",
        "/api/v1/events",
    } <= set(paths)
    assert client.get("/docs").status_code == 200


def test_graphiql_is_served_to_a_browser(client: TestClient) -> None:
    response = client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
