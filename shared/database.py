"""One asyncpg pool per process, with JSON columns decoded by orjson."""

import asyncpg
import orjson

from shared.settings import DatabaseSettings


async def _init_connection(connection: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(
            type_name,
            encoder=lambda value: orjson.dumps(value).decode(),
            decoder=orjson.loads,
            schema="pg_catalog",
        )


async def create_pool(settings: DatabaseSettings) -> asyncpg.Pool:
    """Open the process's pool."""
    return await asyncpg.create_pool(
        settings.url.get_secret_value(),
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        init=_init_connection,
    )
