"""The HTTP/1.1 protocol ``greenreg serve`` runs: uvicorn's httptools protocol, with two changes.

- **Addresses typed as they read.** curl, and other clients, send a query such as
  ``/api/v1/lookup?q=苏州工业园区`` as raw UTF-8 (curl percent-encodes the path, not the query),
  and httptools' parser refuses any byte beyond ASCII in a request line, where h11 takes it. So
  the bytes beyond ASCII of each request line are percent-encoded before the parser sees them:
  the app receives the address a browser would have sent. Only the request line is touched,
  never a header or a body. (A second request sent in the same packet as the first, before
  its answer, is read as httptools reads it: one typed in UTF-8 is refused, after the first's
  answer.)
- **A refusal in words, in its turn.** A request the parser cannot read at all is answered 400
  with a problem document saying what to check, not uvicorn's bare "Invalid HTTP request
  received.", and only once the requests sent before it on the connection are answered:
  uvicorn wrote the 400 and closed the connection at once, so a client that sent a request and,
  before its answer, one the parser refused (a second request typed in UTF-8 in the same packet,
  above) lost the answer to the first.

uvicorn's protocol classes are not a public interface: ``pyproject.toml`` bounds uvicorn to the
releases this was tested with, and ``tests/e2e/test_http_addresses.py`` checks both changes over
a socket.
"""

from __future__ import annotations

import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

UNREADABLE = orjson.dumps(
    {
        "type": "/problems/unreadable_request",
        "title": "The request is not HTTP/1.1 this server can read",
        "status": 400,
        "detail": (
            "the request line or a header breaks HTTP/1.1: check the method, the address (spaces"
            " and control characters must be percent-encoded, e.g. a space as %20) and that"
            " each header is 'Name: value' on its own line"
        ),
    }
)


def percent_encoded(line: bytes) -> bytes:
    """``line`` with each byte beyond ASCII written ``%XX``."""
    return b"".join(bytes((c,)) if c < 0x80 else b"%%%02X" % c for c in line)


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, taking request lines beyond ASCII, refusing in words."""

    in_request_line = True  # until the line's end is read; again once a request is complete

    def data_received(self, data: bytes) -> None:
        if self.in_request_line:
            end = data.find(b"\n")
            line = data if end < 0 else data[:end]
            if not line.isascii():
                data = percent_encoded(line) + data[len(line) :]
            self.in_request_line = end < 0
        super().data_received(data)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.in_request_line = True

    refused = False
    """Whether the parser refused a request while those before it were still being answered:
    the 400 follows their answers."""

    def send_400_response(self, msg: str) -> None:
        if self._answering():
            self.refused = True
            self.flow.pause_reading()  # nothing after the refused request is read
            return
        self._refuse()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # starts the next request read before the refused one
        if self.refused and not self._answering() and not self.transport.is_closing():
            self._refuse()

    def _answering(self) -> bool:
        """Whether a request read before this moment is still to be answered."""
        cycle = self.cycle
        return bool(self.pipeline) or (cycle is not None and not cycle.response_complete)

    def _refuse(self) -> None:
        content = [STATUS_LINE[400]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: application/problem+json\r\n",
                b"content-length: " + str(len(UNREADABLE)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                UNREADABLE,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()
