"""Who is asking: ``Authorization: Bearer <API key>``, for the routes that need a key.

The operator issues keys (``greenreg keys api new NAME``; see
:mod:`greenreg.subscribers.api_keys`). A route that needs one declares ``Depends(holder)``; a
request with no key, a key the registry did not issue, or a revoked key is refused with 401
and ``WWW-Authenticate: Bearer`` (RFC 6750), as a problem (:mod:`greenreg.api.problems`).
Public reads need no key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from greenreg.api.problems import API_KEY_CHALLENGE as REALM
from greenreg.subscribers.api_keys import ApiKey, ApiKeys

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key the operator issued: 'Authorization: Bearer grk_...'.",
)


def refused(message: str, error: str = "invalid_token") -> HTTPException:
    return HTTPException(
        status_code=401,
        detail=message,
        headers={"WWW-Authenticate": f'{REALM}, error="{error}"'},
    )


def key_holder(keys: ApiKeys) -> Callable[..., Awaitable[ApiKey]]:
    """The dependency that gives the authenticated key's record, or refuses with 401."""

    async def holder(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> ApiKey:
        if credentials is None:
            raise HTTPException(
                status_code=401,
                detail="this route needs an API key: send 'Authorization: Bearer <key>' with "
                "a key the registry's operator issued you",
                headers={"WWW-Authenticate": REALM},
            )
        found = await run_in_threadpool(keys.holder, credentials.credentials)
        if found is None:
            raise refused(
                "the API key is not one this registry issued, or it was revoked; ask the "
                "operator for a key"
            )
        return found

    return holder
