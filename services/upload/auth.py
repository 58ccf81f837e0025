"""Who is calling: the bearer token of a request, and the permission each route needs."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.upload.access import Caller, Permission, authenticate
from services.upload.problems import ApiProblemError
from services.upload.runtime import runtime_of

_bearer = HTTPBearer(
    auto_error=False,
    description="An API token of a user of the account: `Authorization: Bearer cit_….…`.",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def authenticated(request: Request, credentials: Credentials) -> Caller:
    """The user of the request's token; 401 without a valid one."""
    caller = None
    if credentials is not None:
        async with runtime_of(request).pool.acquire() as connection:
            caller = await authenticate(connection, credentials.credentials)
    if caller is None:
        raise ApiProblemError(
            401,
            "auth.invalid_token",
            "Send a valid API token: Authorization: Bearer <token> (missing, unknown or revoked).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return caller


def require(*any_of: Permission) -> Callable[..., Awaitable[Caller]]:
    """A dependency: the caller, if their role grants one of these permissions; 403 otherwise."""

    async def allowed(caller: Annotated[Caller, Depends(authenticated)]) -> Caller:
        if caller.permissions.isdisjoint(any_of):
            needed = " or ".join(permission.value for permission in any_of)
            raise ApiProblemError(
                403,
                "auth.forbidden",
                f"Your role does not allow this: it needs the permission {needed}.",
                permissions=[permission.value for permission in any_of],
            )
        return caller

    return allowed


CreatesImports = Annotated[Caller, Depends(require(Permission.IMPORTS_CREATE))]
ViewsImports = Annotated[Caller, Depends(require(Permission.IMPORTS_VIEW))]
CreatesCustomers = Annotated[Caller, Depends(require(Permission.CUSTOMERS_CREATE))]
ViewsCustomers = Annotated[Caller, Depends(require(Permission.CUSTOMERS_VIEW))]
ManagesPlans = Annotated[Caller, Depends(require(Permission.PLANS_MANAGE))]
# Choosing a plan is part of starting an import, so whoever creates imports may list them.
ChoosesPlans = Annotated[
    Caller, Depends(require(Permission.IMPORTS_CREATE, Permission.PLANS_MANAGE))
]
ManagesUsers = Annotated[Caller, Depends(require(Permission.USERS_MANAGE))]
ManagesSettings = Annotated[Caller, Depends(require(Permission.SETTINGS_MANAGE))]
# Whoever maps an import's columns or adds a customer must see which fields exist and which
# are required.
ReadsSettings = Annotated[
    Caller,
    Depends(
        require(
            Permission.SETTINGS_MANAGE,
            Permission.IMPORTS_CREATE,
            Permission.CUSTOMERS_CREATE,
            Permission.CUSTOMERS_VIEW,
        )
    ),
]
