"""Every GraphQL error leaves with an ``extensions.code``.

Limits set their own codes (:mod:`greenreg.graphql.limits`); a refusal from the domain keeps its
code (``invalid_credit_code``, ``bad_query``...); a document that does not parse is
``GRAPHQL_PARSE_FAILED`` (``QUERY_TOO_LARGE`` when it has too many tokens), one that does not
validate is ``GRAPHQL_VALIDATION_FAILED``; a database that does not answer is
``database_unavailable`` (the HTTP layer answers it 503 with ``Retry-After``, as REST does);
anything unexpected is logged and answered as ``INTERNAL_SERVER_ERROR`` without its details.
"""

from __future__ import annotations

import logging

from graphql import GraphQLError, GraphQLSyntaxError

from greenreg.errors import GreenregError
from greenreg.outages import outage_errors

DATABASE_UNAVAILABLE = "database_unavailable"

logger = logging.getLogger("greenreg.graphql")


def code_of(error: GraphQLError) -> str:
    original = error.original_error
    if isinstance(original, GraphQLError):  # a limit's, or a variable's value that did not coerce
        return str((original.extensions or {}).get("code", "BAD_USER_INPUT"))
    if isinstance(original, GreenregError):
        return original.code
    if isinstance(original, outage_errors()):
        return DATABASE_UNAVAILABLE
    if isinstance(error, GraphQLSyntaxError) or isinstance(original, GraphQLSyntaxError):
        return "QUERY_TOO_LARGE" if "tokens" in error.message else "GRAPHQL_PARSE_FAILED"
    if original is None:
        return "GRAPHQL_VALIDATION_FAILED" if error.locations else "BAD_USER_INPUT"
    return "INTERNAL_SERVER_ERROR"


def tag(errors: list[GraphQLError]) -> None:
    """Give each error its code; hide the details of unexpected ones (they are logged)."""
    for error in errors:
        extensions = dict(error.extensions or {})
        if "code" in extensions:
            continue
        code = code_of(error)
        if code == "INTERNAL_SERVER_ERROR":
            logger.error("unexpected error in a GraphQL resolver", exc_info=error.original_error)
            error.message = "the server failed to answer this field; it has been logged"
        extensions["code"] = code
        error.extensions = extensions


def outage_in(errors: list[GraphQLError] | None) -> BaseException | None:
    """The database error behind the first ``database_unavailable`` error, if any."""
    for error in errors or ():
        if isinstance(error.original_error, outage_errors()):
            return error.original_error
    return None
