"""A webhook endpoint: where a watchlist's notifications are POSTed.

The rules, checked when a watchlist is registered (:func:`check_endpoint`):

- ``https://`` only, with a host name and no user or password in the URL (a URL is logged and
  listed; a secret in it would leak), no fragment, at most 2,000 characters;
- the host resolves, and only to public addresses: a registry that POSTs wherever it is told
  must not be turned against the operator's own network (loopback, private, link-local and
  other non-global addresses are refused). ``GREENREG_WEBHOOK_ALLOW_PRIVATE=1`` lets an operator
  allow them, for tests and for endpoints inside its own network;
- the endpoint is reachable: a TCP connection and a TLS handshake (certificate checked for the
  host) within :data:`CONNECT_SECONDS`. No HTTP request is sent, nothing is fetched: a bank
  that mistyped its URL or runs an expired certificate learns it at once, in the refusal,
  instead of finding out weeks later that nothing arrived. An endpoint that goes down later is
  retried by the worker and every failure is in the delivery log.

The worker checks the address rules again before every delivery (a name may resolve elsewhere
later). Certificates are checked against the system's trust store plus, if set,
``GREENREG_WEBHOOK_CA_FILE`` (a PEM bundle of further authorities: for tests, or a bank's
private authority).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
from urllib.parse import urlsplit

from greenreg.errors import GreenregError

CONNECT_SECONDS = 3.0
MAX_URL = 2_000


class EndpointError(GreenregError):
    """A webhook URL that cannot be used (HTTP 422), with the reason in words."""

    code = "invalid_endpoint"


def private_allowed() -> bool:
    return os.environ.get("GREENREG_WEBHOOK_ALLOW_PRIVATE", "") in ("1", "true", "yes")


def tls_context() -> ssl.SSLContext:
    """The system's trust store, plus ``GREENREG_WEBHOOK_CA_FILE`` when set."""
    context = ssl.create_default_context()
    extra = os.environ.get("GREENREG_WEBHOOK_CA_FILE")
    if extra:
        context.load_verify_locations(cafile=extra)
    return context


def parse_endpoint(url: str) -> tuple[str, int]:
    """The host and port of a well-formed HTTPS URL; an :class:`EndpointError` otherwise."""
    if len(url) > MAX_URL:
        raise EndpointError(f"a webhook URL has at most {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError as error:
        raise EndpointError(f"{url!r} is not a URL: {error}") from None
    if parts.scheme != "https":
        raise EndpointError(
            f"{url!r} is not an HTTPS URL: notifications are sent over HTTPS only, so that "
            "nobody on the way can read or change them; give an https:// address"
        )
    if not parts.hostname:
        raise EndpointError(f"{url!r} names no host")
    if parts.username is not None or parts.password is not None:
        raise EndpointError("a webhook URL carries no user name or password; remove them")
    if parts.fragment:
        raise EndpointError("a webhook URL has no '#' fragment; remove it")
    return parts.hostname, port


def check_addresses(host: str, port: int) -> None:
    """Refuse a host that does not resolve, or resolves to a non-public address (unless the
    operator allows them)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise EndpointError(f"the host {host!r} does not resolve: {error}") from None
    if private_allowed():
        return
    for *_, address in found:
        ip = ipaddress.ip_address(str(address[0]).split("%")[0])
        if not ip.is_global:
            raise EndpointError(
                f"the host {host!r} resolves to {ip}, which is not a public address: the "
                "registry sends notifications only to public endpoints"
            )


def check_reachable(host: str, port: int, url: str) -> None:
    """A TCP connection and a TLS handshake, certificate checked; nothing is sent."""
    try:
        with (
            socket.create_connection((host, port), timeout=CONNECT_SECONDS) as raw,
            tls_context().wrap_socket(raw, server_hostname=host),
        ):
            pass
    except ssl.SSLCertVerificationError as error:
        raise EndpointError(
            f"{url} cannot be used: its TLS certificate is not valid for {host} "
            f"({error.verify_message}); nothing was registered"
        ) from None
    except (OSError, ssl.SSLError) as error:
        reason = "timed out" if isinstance(error, TimeoutError) else str(error) or type(error)
        raise EndpointError(
            f"{url} cannot be reached ({reason}): check the address and that the server is "
            "up; nothing was registered"
        ) from None


def check_endpoint(url: str) -> str:
    """The URL, if notifications can be delivered there now (see the module docstring)."""
    host, port = parse_endpoint(url)
    check_addresses(host, port)
    check_reachable(host, port, url)
    return url
