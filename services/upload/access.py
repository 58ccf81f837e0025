"""Who may do what: accounts, users, roles, API tokens, and the record of who did what."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

import asyncpg

from services.upload import access_repository as repository

TOKEN_PREFIX = "cit_"  # "customer import token": lets secret scanners recognise a leaked one


class Permission(StrEnum):
    """What a role may do; every route needs one."""

    IMPORTS_CREATE = "imports:create"
    IMPORTS_VIEW = "imports:view"
    CUSTOMERS_VIEW = "customers:view"
    CUSTOMERS_CREATE = "customers:create"
    PLANS_MANAGE = "plans:manage"
    USERS_MANAGE = "users:manage"
    # What the account requires of its customers and its custom registration fields.
    SETTINGS_MANAGE = "settings:manage"


class Action(StrEnum):
    """What the audit trail records."""

    IMPORT_UPLOAD = "import.upload"
    IMPORT_START = "import.start"
    IMPORT_DOWNLOAD_ORIGINAL = "import.download_original"
    IMPORT_DOWNLOAD_ERRORS = "import.download_errors"
    IMPORT_RETRY_SUBSCRIPTIONS = "import.retry_subscriptions"
    CUSTOMER_CREATE = "customer.create"
    PLAN_CREATE_PRODUCT = "plan.create_product"
    PLAN_CREATE = "plan.create"
    PLAN_ACTIVATE = "plan.activate"
    PLAN_DEACTIVATE = "plan.deactivate"
    USER_CREATE = "user.create"
    TOKEN_CREATE = "token.create"
    TOKEN_REVOKE = "token.revoke"
    ROLE_CREATE = "role.create"
    SETTINGS_CHANGE_REQUIRED = "settings.change_required_fields"
    CUSTOM_FIELD_CREATE = "custom_field.create"
    CUSTOM_FIELD_CHANGE = "custom_field.change"
    CUSTOM_FIELD_DELETE = "custom_field.delete"
    IMPORT_MAP_COLUMNS = "import.map_columns"
    MAPPING_SAVE = "mapping.save"
    MAPPING_DELETE = "mapping.delete"


OWNER_ROLE = "Owner"


@dataclass(frozen=True)
class Caller:
    """The user a valid token belongs to, with its role's permissions."""

    account_id: UUID
    user_id: UUID
    permissions: frozenset[Permission]


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the whole token is shown once, only its prefix is kept in the clear."""

    prefix: str
    token: str
    user_id: UUID
    created_at: datetime


@dataclass(frozen=True)
class NewAccount:
    """An account, its Owner and the Owner's first token."""

    account_id: UUID
    owner_id: UUID
    token: str


class UnknownRoleError(Exception):
    """No built-in role nor role of the account has that name."""


class AlreadyExistsError(Exception):
    """A user with that e-mail, or a role with that name, already exists in the account."""


def _hash(secret: str) -> bytes:
    # SHA-256, not a slow password hash: the secret is 32 random bytes (256 bits) chosen by us,
    # not by a person, so there is no dictionary to try and a fast hash cannot be brute-forced;
    # a slow one would only add latency to every request.
    return hashlib.sha256(secret.encode()).digest()


def new_token() -> tuple[str, str, bytes]:
    """A fresh token: (prefix, the whole token to show once, the hash of its secret to keep)."""
    prefix = TOKEN_PREFIX + secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return prefix, f"{prefix}.{secret}", _hash(secret)


async def authenticate(connection: asyncpg.Connection, token: str) -> Caller | None:
    """The caller a token identifies; None if it is malformed, unknown or revoked."""
    prefix, dot, secret = token.partition(".")
    if not dot or not prefix.startswith(TOKEN_PREFIX) or not secret:
        return None
    holder = await repository.token_holder(connection, prefix=prefix)
    if holder is None or not hmac.compare_digest(bytes(holder["secret_hash"]), _hash(secret)):
        return None
    return Caller(
        account_id=holder["account_id"],
        user_id=holder["user_id"],
        permissions=frozenset(Permission(p) for p in holder["permissions"]),
    )


async def issue_token(
    connection: asyncpg.Connection, *, account_id: UUID, user_id: UUID
) -> IssuedToken:
    """Give a user of the account a new token."""
    prefix, token, secret_hash = new_token()
    stored = await repository.insert_token(
        connection, prefix=prefix, account_id=account_id, user_id=user_id, secret_hash=secret_hash
    )
    return IssuedToken(prefix=prefix, token=token, user_id=user_id, created_at=stored["created_at"])


async def create_user(
    connection: asyncpg.Connection, *, account_id: UUID, name: str, email: str, role: str
) -> asyncpg.Record:
    """Add a user with a built-in or custom role, by the role's name."""
    found = await repository.find_role(connection, account_id=account_id, name=role)
    if found is None:
        raise UnknownRoleError(role)
    user = await repository.insert_user(
        connection,
        user_id=uuid4(),
        account_id=account_id,
        name=name,
        email=email.strip().lower(),
        role_id=found["id"],
    )
    if user is None:
        raise AlreadyExistsError(f"The account already has a user with the e-mail {email}.")
    return user


async def create_role(
    connection: asyncpg.Connection, *, account_id: UUID, name: str, permissions: set[Permission]
) -> asyncpg.Record:
    """Add a custom role: a named set of permissions (not the name of a built-in role)."""
    if await repository.find_role(connection, account_id=account_id, name=name) is not None:
        raise AlreadyExistsError(f"A role named {name!r} already exists.")
    role = await repository.insert_role(
        connection,
        role_id=uuid4(),
        account_id=account_id,
        name=name,
        permissions=sorted(permissions),
    )
    if role is None:  # created by a concurrent request since the check above
        raise AlreadyExistsError(f"A role named {name!r} already exists.")
    return role


async def create_account(
    pool: asyncpg.Pool, *, name: str, owner_email: str, owner_name: str | None = None
) -> NewAccount:
    """A new account with its Owner and the Owner's first token (bootstrapping, no token needed)."""
    account_id = uuid4()
    async with pool.acquire() as connection, connection.transaction():
        await repository.insert_account(connection, account_id=account_id, name=name)
        owner = await create_user(
            connection,
            account_id=account_id,
            name=owner_name or owner_email,
            email=owner_email,
            role=OWNER_ROLE,
        )
        issued = await issue_token(connection, account_id=account_id, user_id=owner["id"])
    return NewAccount(account_id=account_id, owner_id=owner["id"], token=issued.token)


async def audit(
    connection: asyncpg.Connection | asyncpg.Pool,
    caller: Caller,
    action: Action,
    *,
    import_id: UUID | None = None,
    subject: UUID | str | None = None,
) -> None:
    """Write down that the caller did something (to an import, or to a subject)."""
    await repository.insert_audit_event(
        connection,
        account_id=caller.account_id,
        user_id=caller.user_id,
        action=action.value,
        import_id=import_id,
        subject=str(subject) if subject is not None else None,
    )
