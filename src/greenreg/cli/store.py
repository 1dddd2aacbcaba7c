"""Is the store there? One quick look before a command opens it, answered in one sentence.

Opening the event store through its connection pool, a wrong URL surfaces as "couldn't get a
connection after 2.00 sec" deep inside a traceback, and a SQLite file in a missing folder as
"unable to open database file". :func:`check_reachable` connects once, directly, within
:data:`CONNECT_TIMEOUT_SECONDS`, and raises :class:`StoreUnreachableError` saying what is wrong
with which URL (its password left out) and what to do.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse, urlunparse

from greenreg.bootstrap import persistence_env

CONNECT_TIMEOUT_SECONDS = 2
"""libpq's smallest connect timeout: an unreachable host answers within it."""


class StoreUnreachableError(Exception):
    """The store named by a database URL cannot be opened (not a refusal: nothing was asked)."""


def shown_url(url: str) -> str:
    """``url`` without its password, to print."""
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    netloc = parsed.netloc.rsplit("@", 1)[1]
    user = parsed.username or ""
    return urlunparse(parsed._replace(netloc=f"{user}@{netloc}"))


def check_reachable(url: str) -> None:
    """Raise :class:`StoreUnreachableError` unless the store at ``url`` can be opened."""
    env = persistence_env(url)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        _check_sqlite(url, Path(env["SQLITE_DBNAME"]))
    else:
        _check_postgres(url, env)


def _check_sqlite(url: str, path: Path) -> None:
    folder = path.parent
    if path.is_dir():
        raise StoreUnreachableError(
            f"cannot open {url}: {path} is a folder; name a file, e.g. sqlite:///{path}/greenreg.db"
        )
    if not folder.is_dir():
        raise StoreUnreachableError(
            f"cannot open {url}: the folder {folder} does not exist; create it "
            f"(mkdir -p {folder}) or give another --database"
        )


def _check_postgres(url: str, env: dict[str, str]) -> None:
    import psycopg  # noqa: PLC0415 (PostgreSQL only)

    try:
        psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"] or None,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
        ).close()
    except psycopg.Error as error:
        reason = _first_line(str(error))
        raise StoreUnreachableError(
            f"cannot connect to {shown_url(url)}: {reason}; {_fix(reason, env)}"
        ) from None


def _first_line(message: str) -> str:
    """libpq's reason without the 'connection to server at ... failed:' preamble."""
    line = next((part.strip() for part in message.splitlines() if part.strip()), message)
    return line.rsplit(" failed: ", 1)[-1]


def _fix(reason: str, env: dict[str, str]) -> str:
    database, user = env["POSTGRES_DBNAME"], env["POSTGRES_USER"]
    host, port = env["POSTGRES_HOST"], env["POSTGRES_PORT"]
    if f'database "{database}" does not exist' in reason:
        return f"create it (createdb -h {host} -p {port} -U {user} {database}) or fix the URL"
    if "password" in reason or "role" in reason or "authentication" in reason:
        return "check the user name and password in the URL"
    return (
        f"check that PostgreSQL is running on {host} port {port} and that the URL names the "
        "right host and port"
    )
