"""The upload intake against the real S3 server: streamed in, sampled, bounded."""

import uuid
from collections.abc import AsyncIterator

import pytest
from minio import Minio
from minio.error import S3Error

from services.upload.file_intake import FileTooLargeError, receive_file
from shared.csv_format import SAMPLE_SIZE


async def chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    line = b"Nome;E-mail\n" + b"x" * 50 + b"\n"
    payload = (line * (size // len(line) + 1))[:size]
    sent = 0
    while sent < total:
        piece = payload[: min(size, total - sent)]
        sent += len(piece)
        yield piece


async def test_a_file_is_streamed_to_storage_and_sampled(storage: Minio, bucket: str) -> None:
    key = f"tests/{uuid.uuid4()}.csv"
    total = 20 * 1024 * 1024 + 123  # several multipart parts
    received = await receive_file(
        chunks(total), storage=storage, bucket=bucket, key=key, max_bytes=total
    )
    assert received.size_bytes == total
    assert len(received.sample) == SAMPLE_SIZE
    assert not received.sample_is_whole_file
    assert storage.stat_object(bucket, key).size == total


async def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(
    storage: Minio, bucket: str
) -> None:
    key = f"tests/{uuid.uuid4()}.csv"
    with pytest.raises(FileTooLargeError):
        await receive_file(
            chunks(12 * 1024 * 1024),
            storage=storage,
            bucket=bucket,
            key=key,
            max_bytes=10 * 1024 * 1024,
        )
    with pytest.raises(S3Error):
        storage.stat_object(bucket, key)
