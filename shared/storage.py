"""Object storage: the client, where each file lives, and stream adapters for minio."""

import io
import queue
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

from minio import Minio
from urllib3.response import HTTPResponse

from shared.csv_format import CsvDialect, open_text, read_records
from shared.settings import StorageSettings

# The bucket's lifecycle rule for imports' files (stack/provision.py): a little more than the
# two months the upload service's retention sweep keeps them, so the sweep, which records the
# removal, runs first and the rule is only a backstop.
LIFECYCLE_DAYS = 63

# minio uploads an unknown-length stream in parts of this size: the memory one upload holds.
PART_SIZE = 8 * 1024 * 1024


def make_client(settings: StorageSettings) -> Minio:
    """A minio client for the configured endpoint."""
    return Minio(
        settings.endpoint,
        access_key=settings.access_key,
        secret_key=settings.secret_key.get_secret_value(),
        secure=settings.secure,
        region=settings.region,
    )


def original_file_key(account_id: UUID, import_id: UUID) -> str:
    """Where an import's uploaded file is kept (account first: per-account listing and policies)."""
    return f"accounts/{account_id}/imports/{import_id}/original.csv"


def corrected_file_key(account_id: UUID, import_id: UUID, version: str) -> str:
    """Where a corrected file of an import is kept (a new key: the old one is never overwritten)."""
    return f"accounts/{account_id}/imports/{import_id}/original-{version}.csv"


def error_file_key(account_id: UUID, import_id: UUID) -> str:
    """Where an import's error file is kept."""
    return f"accounts/{account_id}/imports/{import_id}/errors.csv"


class IteratorReader(io.RawIOBase):
    """A readable stream over an iterator of byte chunks (what minio's put_object reads)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class PipeAbandonedError(Exception):
    """The reading side stopped (it failed or finished early): nothing more can be written."""


class ChunkPipe:
    """Hands byte chunks from one thread to another that reads them as a stream.

    Bounded: the writer waits when the reader falls behind, so memory stays constant; if the
    reader gives up, the writer gets PipeAbandonedError instead of waiting for ever.
    """

    _END = b""
    _FAILED = b"\x00failed"

    def __init__(self, max_chunks: int = 16) -> None:
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=max_chunks)
        self._abandoned = False

    def put(self, chunk: bytes) -> None:
        """Queue a chunk, waiting while the pipe is full (call from a worker thread)."""
        while chunk:
            if self._abandoned:
                raise PipeAbandonedError
            try:
                self._queue.put(chunk, timeout=0.2)
                return
            except queue.Full:
                continue

    def abandon(self) -> None:
        """Called by the reader when it stops reading, so a waiting writer is released."""
        self._abandoned = True

    def close(self, *, failed: bool = False) -> None:
        """End the stream; with failed=True the reader gets an error instead of a clean end."""
        marker = self._FAILED if failed else self._END
        while not self._abandoned:
            try:
                self._queue.put(marker, timeout=0.2)
                return
            except queue.Full:
                continue

    def chunks(self) -> Iterator[bytes]:
        """The chunks in order, until close(); raises if the writer closed it as failed."""
        try:
            while (chunk := self._queue.get()) is not self._END:
                if chunk is self._FAILED:
                    raise PipeAbandonedError("the writer stopped before the end of the stream")
                yield chunk
        finally:
            self.abandon()

    def reader(self) -> io.BufferedReader:
        """The chunks as a readable binary stream."""
        return io.BufferedReader(IteratorReader(self.chunks()), buffer_size=1024 * 1024)


@contextmanager
def stored_bytes(
    storage: Minio, bucket: str, key: str, *, start_byte: int = 0, end_byte: int | None = None
) -> Iterator[typing.BinaryIO]:
    """A stored object, or its range [start_byte, end_byte), as a buffered binary stream."""
    length = 0 if end_byte is None else end_byte - start_byte  # minio: 0 reads to the end
    response = storage.get_object(bucket, key, offset=start_byte, length=length)
    # urllib3 closes an exhausted response by itself, and a buffered reader on top then fails
    # with "I/O operation on closed file" instead of seeing the end of the stream.
    if isinstance(response, HTTPResponse):
        response.auto_close = False
    try:
        yield io.BufferedReader(response, buffer_size=1024 * 1024)
    finally:
        response.close()
        response.release_conn()


@contextmanager
def stored_records(
    storage: Minio,
    bucket: str,
    key: str,
    dialect: CsvDialect,
    *,
    start_byte: int = 0,
    end_byte: int | None = None,
    first_record_no: int = 1,
) -> Iterator[Iterator[tuple[int, list[str]]]]:
    """The records of a stored CSV, or of a range of it, read as a stream (closed on exit).

    A range starts at a record boundary; `first_record_no` is its first record's number.
    """
    with stored_bytes(storage, bucket, key, start_byte=start_byte, end_byte=end_byte) as binary:
        text = open_text(binary, dialect, start_byte=start_byte)
        yield read_records(text, dialect, first_record_no=first_record_no)
