"""The error file: only the rows not imported, as the user wrote them, plus why and how to fix."""

import asyncio
import csv
import io
from collections.abc import Iterator
from typing import Any

import asyncpg
from minio import Minio

from services.aggregator.repository import SELECT_FAILURES
from shared import metrics
from shared.csv_format import CsvDialect, ScannedRecord, record_cells, scan_records
from shared.file_problems import Locale
from shared.rules.errors import RowError, render_errors
from shared.rules.fields import Field
from shared.storage import PART_SIZE, IteratorReader, stored_bytes

ERRORS_HEADER: dict[Locale, str] = {"pt-BR": "Erros", "en": "Errors"}
LINE_LABEL: dict[Locale, str] = {"pt-BR": "Linha", "en": "Line"}
_FLUSH_AT = 64 * 1024
_FETCH = 1000

# (row number, stored errors) of each failed row, in row order.
Failure = tuple[int, list[dict[str, Any]]]


async def write_error_file(
    *,
    import_record: asyncpg.Record,
    key: str,
    pool: asyncpg.Pool,
    storage: Minio,
    bucket: str,
) -> None:
    """Stream the error file to object storage: the original is re-read, failures merged in."""
    loop = asyncio.get_running_loop()
    async with pool.acquire() as connection, connection.transaction():
        cursor = await connection.cursor(SELECT_FAILURES, import_record["id"])

        def failures() -> Iterator[Failure]:
            # Read from the upload thread, the database work on the event loop: a thousand
            # failures per round trip (one per failure cost seconds on a large file).
            while chunk := asyncio.run_coroutine_threadsafe(cursor.fetch(_FETCH), loop).result():
                for record in chunk:
                    yield record["row_no"], record["errors"]

        await asyncio.to_thread(_upload, import_record, key, failures(), storage, bucket)
    metrics.ERROR_FILE_BYTES.observe(storage.stat_object(bucket, key).size or 0)


def _upload(
    import_record: asyncpg.Record,
    key: str,
    failures: Iterator[Failure],
    storage: Minio,
    bucket: str,
) -> None:
    dialect = CsvDialect(encoding=import_record["encoding"], delimiter=import_record["delimiter"])
    # An import interrupted before its file's totals has no columns yet: errors keep their own.
    known = import_record["columns"] or {}
    columns = {Field(name): header for name, header in known.items()}
    with stored_bytes(storage, bucket, import_record["object_key"]) as binary:
        records = ((number, record) for number, record, _ in scan_records(binary, dialect))
        lines = error_file_lines(
            records, failures, columns, import_record["locale"], dialect=dialect
        )
        storage.put_object(
            bucket,
            key,
            io.BufferedReader(IteratorReader(_encoded(lines, dialect))),
            length=-1,
            part_size=PART_SIZE,
            content_type=f"text/csv; charset={'utf-8' if dialect.has_bom else dialect.encoding}",
        )


def error_file_lines(
    records: Iterator[tuple[int, ScannedRecord]],
    failures: Iterator[Failure],
    columns: dict[Field, str],
    locale: Locale,
    *,
    dialect: CsvDialect,
) -> Iterator[list[str]]:
    """The header plus an errors column, then each failed row's original cells and its errors.

    Only the header's and the failed rows' cells are read (record_cells): most records are
    passed over as the bytes they are.
    """
    _, first = next(records)
    header = record_cells(first, dialect)
    yield [*header, ERRORS_HEADER[locale]]
    failure = next(failures, None)
    for row_no, record in records:
        if failure is None:
            return
        if row_no != failure[0]:
            continue
        # As written, but for NUL characters: the import ignores them, and the upload refuses a
        # file that starts with them as binary, so the corrected file could not come back.
        cells = [cell.replace("\x00", "") for cell in record_cells(record, dialect)]
        errors = [_named(RowError.model_validate(raw), columns) for raw in failure[1]]
        # The line number is said in the text: the corrected file is re-uploaded without it.
        why = f"{LINE_LABEL[locale]} {row_no}: {render_errors(errors, locale)}"
        # Pad short rows so the errors land in the errors column.
        yield [*cells, *[""] * (len(header) - len(cells)), why]
        failure = next(failures, None)


def _named(error: RowError, columns: dict[Field, str]) -> RowError:
    """Name the column as the user's header does, for errors decided after the validator."""
    if error.column is None and error.field in columns:
        return error.model_copy(update={"column": columns[error.field]})
    return error


def _encoded(lines: Iterator[list[str]], dialect: CsvDialect) -> Iterator[bytes]:
    """Write rows as the original file was written: same delimiter, same encoding, same BOM."""
    # str.encode("utf-8-sig") would repeat the BOM on every chunk: write it once.
    encoding = "utf-8" if dialect.has_bom else dialect.encoding
    if dialect.has_bom:
        yield "\ufeff".encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    for line in lines:
        writer.writerow(line)
        if buffer.tell() >= _FLUSH_AT:
            yield buffer.getvalue().encode(encoding, errors="replace")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode(encoding, errors="replace")
