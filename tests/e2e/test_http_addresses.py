"""The HTTP protocol ``greenreg serve`` runs (:mod:`greenreg.api.http_protocol`), over a socket.

curl sends a query as typed, raw UTF-8 (``?q=苏州工业园区``); the server must read it as the
percent-encoded address a browser sends, and must refuse a request it cannot read in words.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import orjson
import pytest
from starlette.types import Receive, Scope, Send

from greenreg.bootstrap import open_greenreg
from tests.e2e.server import serving, serving_app


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    """An app answering with the path and query it was given, and the body it received."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    answer = {
        "path": scope["path"],
        "raw_path": scope["raw_path"].decode("ascii"),
        "query": scope["query_string"].decode("ascii"),
        "body": body.decode("utf-8"),
    }
    payload = orjson.dumps(answer)
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(payload))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def exchange(base: str, *requests: bytes) -> bytes:
    """Send raw requests on one connection, each after the answer to the one before."""
    address = urlsplit(base)
    answers = b""
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        for request in requests:
            connection.sendall(request)
            answers += read_answer(connection)
    return answers


def read_answer(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += receive(connection)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += receive(connection)
    return head + b"\r\n\r\n" + body


def receive(connection: socket.socket) -> bytes:
    data = connection.recv(65536)
    if not data:
        raise ConnectionError("the server closed the connection before its answer was whole")
    return data


def bodies(answers: bytes) -> list[dict[str, str]]:
    return [orjson.loads(part.split(b"\r\n\r\n", 1)[1]) for part in answers.split(b"HTTP/1.1 ")[1:]]


@pytest.fixture(scope="module")
def echoing() -> Iterator[str]:
    with serving_app(echo) as base:
        yield base


def test_a_query_typed_in_utf8_reads_as_the_encoded_address(echoing: str) -> None:
    typed = "GET /lookup?q=苏州工业园区&page=2 HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    answer = exchange(echoing, typed)
    assert answer.startswith(b"HTTP/1.1 200 ")
    (seen,) = bodies(answer)
    assert seen["query"] == "q=%E8%8B%8F%E5%B7%9E%E5%B7%A5%E4%B8%9A%E5%9B%AD%E5%8C%BA&page=2"
    assert seen["path"] == "/lookup"


def test_a_path_and_a_split_request_line_typed_in_utf8(echoing: str) -> None:
    line = "GET /单位/苏州?q=园区 HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    cut = line.index("州".encode()) + 1  # inside a character: the line arrives in two packets
    address = urlsplit(echoing)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(line[:cut])
        connection.sendall(line[cut:])
        (seen,) = bodies(read_answer(connection))
    assert seen["path"] == "/单位/苏州"
    assert seen["raw_path"] == "/%E5%8D%95%E4%BD%8D/%E8%8B%8F%E5%B7%9E"
    assert seen["query"] == "q=%E5%9B%AD%E5%8C%BA"


def test_headers_and_bodies_are_never_rewritten_and_each_request_line_is(echoing: str) -> None:
    text = '{"name": "苏州工业园区"}'.encode()
    post = b"POST /acts?q=\xe5\x9b\xad HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (
        len(text),
        text,
    )
    second = "GET /?q=园 HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    first, then = bodies(exchange(echoing, post, second))
    assert first["body"] == '{"name": "苏州工业园区"}'
    assert first["query"] == then["query"] == "q=%E5%9B%AD"


def test_a_request_it_cannot_read_is_refused_in_words(echoing: str) -> None:
    answer = exchange(echoing, b"GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"content-type: application/problem+json" in head
    problem = orjson.loads(body)
    assert problem["status"] == 400
    assert "percent-encoded" in problem["detail"]


def test_a_request_refused_behind_another_is_refused_after_its_answer(echoing: str) -> None:
    """Two requests in one packet, the second one the parser cannot read: the first is
    answered, then the second refused (uvicorn answered the 400 alone and closed)."""
    address = urlsplit(echoing)
    good = "GET /?q=园 HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    for unreadable in (
        b"GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /?q=区 HTTP/1.1\r\nHost: x\r\n\r\n".encode(),  # UTF-8 behind another request
    ):
        answers = b""
        with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
            connection.sendall(good + unreadable)
            while chunk := connection.recv(65536):  # until the server closes the connection
                answers += chunk
        head, _, rest = answers.partition(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        first, second = head + b"\r\n\r\n" + rest[:length], rest[length:]
        assert first.startswith(b"HTTP/1.1 200 "), answers
        assert bodies(first)[0]["query"] == "q=%E5%9B%AD"
        head, _, body = second.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 "), second
        assert b"connection: close" in head
        assert "percent-encoded" in orjson.loads(body)["detail"]


def test_the_registry_looks_up_a_name_typed_in_utf8(database_url: str) -> None:
    facade = open_greenreg(database_url)
    try:
        with serving(facade) as base:
            typed = "GET /api/v1/lookup?q=苏州工业园区 HTTP/1.1\r\nHost: x\r\n\r\n".encode()
            answer = exchange(base, typed)
    finally:
        facade.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), answer[:400]
    assert "苏州工业园区" in body.decode()
