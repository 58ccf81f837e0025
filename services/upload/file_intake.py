"""Stream an upload straight into object storage, keeping only its first bytes for the pre-check."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass

from minio import Minio

from services.upload.precheck import Precheck, precheck
from shared.csv_format import SAMPLE_SIZE
from shared.events import ImportStatus
from shared.storage import PART_SIZE, ChunkPipe


class FileTooLargeError(Exception):
    """The upload went past the size limit; nothing of it is kept."""

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(f"file larger than {limit_bytes} bytes")
        self.limit_bytes = limit_bytes


@dataclass(frozen=True)
class ReceivedFile:
    """What the intake learnt while the bytes went by."""

    size_bytes: int
    sample: bytes

    @property
    def sample_is_whole_file(self) -> bool:
        """Whether the sample holds the entire file (small files are pre-checked completely)."""
        return self.size_bytes == len(self.sample)


@dataclass(frozen=True)
class CheckedFile:
    """A file stored at `object_key` and what its pre-check found: what an import records."""

    object_key: str
    size_bytes: int
    check: Precheck

    @property
    def status(self) -> ImportStatus:
        """Rejected when the pre-check found a problem; else uploaded, waiting for its start."""
        return ImportStatus.REJECTED if self.check.problems else ImportStatus.UPLOADED


async def receive_checked_file(
    chunks: AsyncIterator[bytes], *, storage: Minio, bucket: str, key: str, max_bytes: int
) -> CheckedFile:
    """Store the upload at `key` and pre-check its first bytes, in the same single pass."""
    received = await receive_file(
        chunks, storage=storage, bucket=bucket, key=key, max_bytes=max_bytes
    )
    check = precheck(received.sample, whole_file=received.sample_is_whole_file)
    return CheckedFile(object_key=key, size_bytes=received.size_bytes, check=check)


async def receive_file(
    chunks: AsyncIterator[bytes], *, storage: Minio, bucket: str, key: str, max_bytes: int
) -> ReceivedFile:
    """Copy the request body to `bucket/key` as it arrives; memory stays at a few parts."""
    pipe = ChunkPipe()
    upload = asyncio.create_task(asyncio.to_thread(_put_object, storage, bucket, key, pipe))
    size = 0
    sample = bytearray()
    try:
        async for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise FileTooLargeError(max_bytes)
            if len(sample) < SAMPLE_SIZE:
                sample += chunk[: SAMPLE_SIZE - len(sample)]
            await asyncio.to_thread(pipe.put, chunk)
    except BaseException:
        # minio aborts the multipart upload when its stream fails: no partial object is left.
        pipe.close(failed=True)
        with suppress(Exception):
            await upload
        raise
    pipe.close()
    await upload
    return ReceivedFile(size_bytes=size, sample=bytes(sample))


def _put_object(storage: Minio, bucket: str, key: str, pipe: ChunkPipe) -> None:
    storage.put_object(
        bucket, key, pipe.reader(), length=-1, part_size=PART_SIZE, content_type="text/csv"
    )
