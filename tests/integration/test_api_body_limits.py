"""A request body is refused (413, the one refusal body, saying the limit) as soon as it passes
its route's limit, while it is read: a ``Content-Length`` over the limit is refused before a byte
is read; a body without a length, or longer than its length says, is read no further than the
limit. Each route has its own limit; a body at the limit is read. Both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field

import orjson
import pytest
from fastapi.testclient import TestClient

from greenreg.api.body_limits import (
    ACT_BODY_BYTES,
    CHECK_BODY_BYTES,
    DEFAULT_BODY_BYTES,
    GRAPHQL_BODY_BYTES,
)
from tests.e2e.support import count_reads, facade_of, refusal_of

MB = 1024 * 1024
ROUTES = [
    ("/graphql", GRAPHQL_BODY_BYTES),
    ("/api/v1/acts", ACT_BODY_BYTES),
    ("/api/v1/certifications", CHECK_BODY_BYTES),
]


@dataclass
class Sender:
    """A client that sends a body in chunks of 1 MiB, counting those the server asked for."""

    chunks: int
    sent: int = 0
    messages: list[dict[str, object]] = field(default_factory=list)

    def body(self) -> Iterator[bytes]:
        chunk = b" " * MB
        for _ in range(self.chunks):
            self.sent += 1
            yield chunk

    def post(self, client: TestClient, path: str, headers: dict[str, str]) -> tuple[int, dict]:
        body = self.body()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
            + [(b"content-type", b"application/json")],
            "client": ("127.0.0.1", 1),
            "server": ("testserver", 80),
        }

        async def receive() -> dict[str, object]:
            chunk = next(body, None)
            if chunk is None:
                return {"type": "http.request", "body": b"", "more_body": False}
            return {"type": "http.request", "body": chunk, "more_body": True}

        async def send(message: dict[str, object]) -> None:
            self.messages.append(message)

        asyncio.run(client.app(scope, receive, send))  # type: ignore[arg-type]
        [start] = [m for m in self.messages if m["type"] == "http.response.start"]
        content = b"".join(
            m.get("body", b"")  # type: ignore[misc]
            for m in self.messages
            if m["type"] == "http.response.body"
        )
        return start["status"], orjson.loads(content)  # type: ignore[return-value]


def too_large(status: int, body: dict, limit: int) -> None:
    assert status == 413, body
    assert (body["code"], body["type"], body["status"]) == ("too_large", "/problems/too_large", 413)
    assert f"{limit:,} bytes" in body["detail"]


@pytest.mark.parametrize(("path", "limit"), ROUTES, ids=[p for p, _ in ROUTES])
def test_a_200_mb_body_without_a_length_is_read_no_further_than_the_limit(
    client: TestClient, path: str, limit: int
) -> None:
    reads = count_reads(facade_of(client))
    sender = Sender(chunks=200)
    status, body = sender.post(client, path, {})
    too_large(status, body, limit)
    assert sender.sent <= limit // MB + 1  # the server stopped asking at the limit
    assert reads == []


@pytest.mark.parametrize(("path", "limit"), ROUTES, ids=[p for p, _ in ROUTES])
def test_a_length_of_200_mb_is_refused_before_a_byte_is_read(
    client: TestClient, path: str, limit: int
) -> None:
    sender = Sender(chunks=200)
    status, body = sender.post(client, path, {"content-length": str(200 * MB)})
    too_large(status, body, limit)
    assert sender.sent == 0


def test_a_body_longer_than_its_length_says_is_refused_at_the_limit(client: TestClient) -> None:
    sender = Sender(chunks=200)
    status, body = sender.post(client, "/graphql", {"content-length": "100"})
    too_large(status, body, GRAPHQL_BODY_BYTES)
    assert sender.sent <= GRAPHQL_BODY_BYTES // MB + 1


@pytest.mark.parametrize(("path", "limit"), ROUTES, ids=[p for p, _ in ROUTES])
def test_each_route_reads_a_body_at_its_limit_and_refuses_one_byte_more(
    client: TestClient, path: str, limit: int
) -> None:
    at_limit = client.post(path, content=b" " * limit, headers={"content-type": "application/json"})
    assert at_limit.status_code != 413  # read, then refused for what it says (not JSON)
    over = client.post(
        path, content=b" " * (limit + 1), headers={"content-type": "application/json"}
    )
    status, code, message = refusal_of(over)
    assert (status, code) == (413, "too_large")
    assert f"{limit:,} bytes" in message


def test_a_route_without_its_own_limit_has_the_small_default(client: TestClient) -> None:
    # A route that reads no body: its declared length is refused before the route runs.
    over = client.request("GET", "/healthz", content=b" " * (DEFAULT_BODY_BYTES + 1))
    status, code, message = refusal_of(over)
    assert (status, code) == (413, "too_large")
    assert f"{DEFAULT_BODY_BYTES:,} bytes" in message
    assert client.request("GET", "/healthz", content=b" " * DEFAULT_BODY_BYTES).status_code == 200
