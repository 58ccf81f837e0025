"""The resources the API uses, built once by the app's lifespan."""

from dataclasses import dataclass

import asyncpg
from fastapi import Request
from faststream.kafka.publisher.usecase import DefaultPublisher
from minio import Minio

from services.upload.settings import UploadSettings


@dataclass(frozen=True)
class Runtime:
    """Settings, the database pool, the object store and the publishers."""

    settings: UploadSettings
    pool: asyncpg.Pool
    storage: Minio
    file_accepted: DefaultPublisher
    subscription_retries: DefaultPublisher


def runtime_of(request: Request) -> Runtime:
    """The resources of the app serving the request."""
    runtime: Runtime = request.app.state.runtime
    return runtime
