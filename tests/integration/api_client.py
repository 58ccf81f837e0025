"""An in-process HTTP client for upload-service routes that need only the database pool."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace

import asyncpg
import httpx
from fastapi import APIRouter, FastAPI

from services.upload.problems import ApiProblemError, problem_handler


@asynccontextmanager
async def api_client(pool: asyncpg.Pool, *routers: APIRouter) -> AsyncIterator[httpx.AsyncClient]:
    """The routers on a bare app whose runtime holds only the pool (no broker, no S3)."""
    app = FastAPI()
    for router in routers:
        app.include_router(router)
    app.add_exception_handler(ApiProblemError, problem_handler)
    app.state.runtime = SimpleNamespace(pool=pool)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
