"""HTTP routes of access: users, their API tokens, custom roles, the audit trail."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, EmailStr, Field

from services.upload import access_repository as repository
from services.upload.access import (
    Action,
    AlreadyExistsError,
    Caller,
    Permission,
    UnknownRoleError,
    audit,
    create_role,
    create_user,
    issue_token,
)
from services.upload.auth import ManagesUsers, authenticated
from services.upload.problems import ApiProblemError, not_found
from services.upload.runtime import runtime_of

router = APIRouter(prefix="/v1", tags=["access"])


class Me(BaseModel):
    """Who the token belongs to and what it may do."""

    account_id: UUID
    user_id: UUID
    permissions: list[Permission]


class NewUser(BaseModel):
    """A user to add, with the name of a built-in role (Administrator, Owner, Manager, Support,
    Observer) or of one of the account's custom roles."""

    name: str = Field(min_length=1, max_length=254)
    email: EmailStr
    role: str = Field(min_length=1, max_length=100)


class User(BaseModel):
    """A user of the account."""

    id: UUID
    name: str
    email: str
    role: str
    created_at: datetime


class Token(BaseModel):
    """An API token as listed: its prefix names it; the secret is never shown again."""

    prefix: str
    user_id: UUID
    created_at: datetime
    revoked_at: datetime | None


class NewToken(Token):
    """A token just issued: `token` is shown this once; send it as `Authorization: Bearer`."""

    token: str


class NewRole(BaseModel):
    """A custom role: a named set of permissions."""

    name: str = Field(min_length=1, max_length=100)
    permissions: set[Permission] = Field(min_length=1)


class Role(BaseModel):
    """A role: built-in (the same for every account) or the account's own."""

    id: UUID
    name: str
    permissions: list[Permission]
    built_in: bool


class AuditEvent(BaseModel):
    """Who did what, when."""

    user_id: UUID
    action: str
    import_id: UUID | None
    subject: str | None
    at: datetime


@router.get("/me", response_model=Me)
async def me(caller: Annotated[Caller, Depends(authenticated)]) -> Me:
    """The user and account of the token, and what its role allows."""
    return Me(
        account_id=caller.account_id,
        user_id=caller.user_id,
        permissions=sorted(caller.permissions),
    )


@router.post("/users", status_code=201, response_model=User)
async def add_user(request: Request, body: NewUser, caller: ManagesUsers) -> User:
    """Add a user to the account, with a role."""
    async with runtime_of(request).pool.acquire() as connection, connection.transaction():
        try:
            user = await create_user(
                connection,
                account_id=caller.account_id,
                name=body.name,
                email=body.email,
                role=body.role,
            )
        except UnknownRoleError as error:
            raise ApiProblemError(
                422, "user.unknown_role", f"No role named {body.role!r} in this account."
            ) from error
        except AlreadyExistsError as error:
            raise ApiProblemError(409, "user.already_exists", str(error)) from error
        await audit(connection, caller, Action.USER_CREATE, subject=user["id"])
    return User(**{**dict(user), "role": body.role})


@router.get("/users", response_model=list[User])
async def list_users(request: Request, caller: ManagesUsers) -> list[User]:
    """The account's users and their roles."""
    async with runtime_of(request).pool.acquire() as connection:
        records = await repository.list_users(connection, account_id=caller.account_id)
    return [User.model_validate(dict(record)) for record in records]


@router.post("/users/{user_id}/tokens", status_code=201, response_model=NewToken)
async def add_token(request: Request, user_id: UUID, caller: ManagesUsers) -> NewToken:
    """Issue an API token for a user of the account (shown once)."""
    async with runtime_of(request).pool.acquire() as connection, connection.transaction():
        user = await repository.get_user(connection, user_id=user_id, account_id=caller.account_id)
        if user is None:
            raise not_found("user", user_id, request)
        issued = await issue_token(connection, account_id=caller.account_id, user_id=user_id)
        await audit(connection, caller, Action.TOKEN_CREATE, subject=issued.prefix)
    return NewToken(
        prefix=issued.prefix,
        user_id=issued.user_id,
        created_at=issued.created_at,
        revoked_at=None,
        token=issued.token,
    )


@router.get("/tokens", response_model=list[Token])
async def list_tokens(request: Request, caller: ManagesUsers) -> list[Token]:
    """The account's tokens, by prefix, revoked ones included; never their secrets."""
    async with runtime_of(request).pool.acquire() as connection:
        records = await repository.list_tokens(connection, account_id=caller.account_id)
    return [_token(record) for record in records]


@router.delete("/tokens/{prefix}", status_code=204)
async def revoke_token(request: Request, prefix: str, caller: ManagesUsers) -> Response:
    """Revoke a token: from now on it answers 401. Revoking again is harmless."""
    async with runtime_of(request).pool.acquire() as connection, connection.transaction():
        revoked = await repository.revoke_token(
            connection, prefix=prefix, account_id=caller.account_id
        )
        if revoked is None:
            raise not_found("token", prefix, request)
        await audit(connection, caller, Action.TOKEN_REVOKE, subject=prefix)
    return Response(status_code=204)


@router.post("/roles", status_code=201, response_model=Role)
async def add_role(request: Request, body: NewRole, caller: ManagesUsers) -> Role:
    """Add a custom role to the account."""
    async with runtime_of(request).pool.acquire() as connection, connection.transaction():
        try:
            role = await create_role(
                connection,
                account_id=caller.account_id,
                name=body.name,
                permissions=body.permissions,
            )
        except AlreadyExistsError as error:
            raise ApiProblemError(409, "role.already_exists", str(error)) from error
        await audit(connection, caller, Action.ROLE_CREATE, subject=role["id"])
    return _role(role)


@router.get("/roles", response_model=list[Role])
async def list_roles(request: Request, caller: ManagesUsers) -> list[Role]:
    """The built-in roles and the account's own."""
    async with runtime_of(request).pool.acquire() as connection:
        records = await repository.list_roles(connection, account_id=caller.account_id)
    return [_role(record) for record in records]


@router.get("/audit-events", response_model=list[AuditEvent])
async def list_audit_events(
    request: Request,
    caller: ManagesUsers,
    import_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEvent]:
    """Who did what in the account, newest first; optionally about one import."""
    async with runtime_of(request).pool.acquire() as connection:
        records = await repository.list_audit_events(
            connection, account_id=caller.account_id, import_id=import_id, limit=limit
        )
    return [AuditEvent.model_validate(dict(record)) for record in records]


def _token(record: asyncpg.Record) -> Token:
    return Token.model_validate(dict(record))


def _role(record: asyncpg.Record) -> Role:
    return Role(
        id=record["id"],
        name=record["name"],
        permissions=[Permission(p) for p in record["permissions"]],
        built_in=record["account_id"] is None,
    )
