"""An in-process HTTP client for upload-service routes that need the pool (and the object store)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace

import asyncpg
import httpx
from fastapi import APIRouter, FastAPI
from minio import Minio

from services.upload.problems import add_problem_handlers


@asynccontextmanager
async def api_client(
    pool: asyncpg.Pool,
    *routers: APIRouter,
    storage: Minio | None = None,
    bucket: str | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """The routers on a bare app whose runtime holds the pool and, if given, the object store
    (never a broker)."""
    app = FastAPI()
    for router in routers:
        app.include_router(router)
    add_problem_handlers(app)
    app.state.runtime = SimpleNamespace(pool=pool)
    if storage is not None:
        app.state.runtime = SimpleNamespace(
            pool=pool,
            storage=storage,
            settings=SimpleNamespace(
                storage=SimpleNamespace(bucket=bucket), max_file_bytes=1024 * 1024 * 1024
            ),
        )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
