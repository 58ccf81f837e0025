"""The aggregator on the real PostgreSQL and S3 server: counted once, final once, error file."""

import csv
import io
import uuid

import asyncpg
import pytest
from minio import Minio
from prometheus_client import REGISTRY

from services.aggregator.aggregation import (
    finish_if_complete,
    interrupt_import,
    record_file_validated,
    record_outcomes,
)
from shared.events import (
    FileValidated,
    ImportFinished,
    ImportStatus,
    OutcomeKind,
    RowOutcome,
    RowOutcomes,
    Stage,
)
from shared.file_problems import FileProblem, render_problem
from shared.rules.errors import RowError
from shared.rules.fields import Field
from shared.storage import original_file_key

ORIGINAL = "Nome completo;E-mail\r\nAna;ana@x.com\r\n;sem-nome@x.com\r\nJosé;ANA@x.com\r\n".encode(
    "cp1252"
)


async def uploaded_import(
    pool: asyncpg.Pool, storage: Minio, bucket: str
) -> tuple[uuid.UUID, uuid.UUID]:
    account, import_id = uuid.uuid4(), uuid.uuid4()
    key = original_file_key(account, import_id)
    storage.put_object(bucket, key, io.BytesIO(ORIGINAL), len(ORIGINAL))
    await pool.execute(
        "INSERT INTO imports (id, account_id, file_name, object_key, size_bytes, encoding,"
        " delimiter, status) VALUES ($1, $2, 'clientes.csv', $3, $4, 'cp1252', ';', 'processing')",
        import_id,
        account,
        key,
        len(ORIGINAL),
    )
    return account, import_id


def outcomes(
    account: uuid.UUID, import_id: uuid.UUID, stage: Stage, seen: int, *items: RowOutcome
) -> RowOutcomes:
    return RowOutcomes(
        import_id=import_id,
        account_id=account,
        stage=stage,
        first_row_no=2,
        last_row_no=4,
        rows_seen=seen,
        outcomes=items,
    )


# The writer lists only the rows it skipped (the others were created); a writer may also list
# its created rows: the counts are the same.
@pytest.mark.parametrize("created_listed", [False, True])
async def test_counts_once_finishes_once_and_writes_the_error_file(
    pool: asyncpg.Pool, storage: Minio, bucket: str, created_listed: bool
) -> None:
    account, import_id = await uploaded_import(pool, storage, bucket)
    validation = outcomes(
        account,
        import_id,
        Stage.VALIDATION,
        3,
        RowOutcome(
            row_no=3,
            kind=OutcomeKind.INVALID,
            errors=(
                RowError(field=Field.FULL_NAME, column="Nome completo", code="full_name.required"),
            ),
        ),
    )
    created = RowOutcome(row_no=2, kind=OutcomeKind.CREATED, customer_id=uuid.uuid4())
    write = outcomes(
        account,
        import_id,
        Stage.WRITE,
        2,
        *([created] if created_listed else []),
        RowOutcome(
            row_no=4,
            kind=OutcomeKind.DUPLICATE,
            errors=(
                RowError(field=Field.EMAIL, code="email.repeated_in_file", params={"row": "2"}),
            ),
        ),
    )
    validated = FileValidated(
        import_id=import_id,
        account_id=account,
        total_rows=3,
        columns={Field.FULL_NAME: "Nome completo", Field.EMAIL: "E-mail"},
    )
    published: list[ImportFinished] = []

    async def publish(event: ImportFinished) -> None:
        published.append(event)

    def counted(outcome: str) -> float:
        labels = {"stage": "write", "outcome": outcome}
        return REGISTRY.get_sample_value("customer_import_rows_total", labels) or 0.0

    created_before, duplicates_before = counted("created"), counted("duplicate")
    # Every message delivered twice, in an order where the total comes last.
    statuses = []
    for event in (validation, write, validation, write):
        record = (await record_outcomes(event, pool=pool)).record
        assert record is not None
        statuses.append(
            await finish_if_complete(
                record, pool=pool, storage=storage, bucket=bucket, publish=publish
            )
        )
    for _ in range(2):
        record = await record_file_validated(validated, pool=pool)
        assert record is not None
        statuses.append(
            await finish_if_complete(
                record, pool=pool, storage=storage, bucket=bucket, publish=publish
            )
        )

    assert statuses == [None, None, None, None, ImportStatus.PARTIALLY_IMPORTED, None]
    # The metrics count each row once too, whatever the deliveries.
    assert (counted("created") - created_before, counted("duplicate") - duplicates_before) == (1, 1)
    final = await pool.fetchrow("SELECT * FROM imports WHERE id = $1", import_id)
    assert (
        final["total_rows"],
        final["created_count"],
        final["failed_count"],
        final["skipped_count"],
    ) == (3, 1, 1, 1)
    assert final["rows_validated"] == 3
    (finished,) = published
    assert (finished.status, finished.created, finished.failed, finished.skipped) == (
        ImportStatus.PARTIALLY_IMPORTED,
        1,
        1,
        1,
    )

    raw = storage.get_object(bucket, final["error_file_key"]).read()
    rows = list(csv.reader(io.StringIO(raw.decode("cp1252")), delimiter=";"))
    assert [row[:2] for row in rows] == [
        ["Nome completo", "E-mail"],
        ["", "sem-nome@x.com"],
        ["José", "ANA@x.com"],
    ]
    assert rows[0][2] == "Erros"
    assert rows[1][2].startswith("Linha 3: Coluna «Nome completo»")
    assert rows[2][2].startswith("Linha 4: Coluna «E-mail»")


async def test_an_unusable_file_fails_without_an_error_file(
    pool: asyncpg.Pool, storage: Minio, bucket: str
) -> None:
    account, import_id = await uploaded_import(pool, storage, bucket)
    published: list[ImportFinished] = []

    async def publish(event: ImportFinished) -> None:
        published.append(event)

    record = await record_file_validated(
        FileValidated(
            import_id=import_id,
            account_id=account,
            total_rows=0,
            problems=(FileProblem(code="file.header_only"),),
        ),
        pool=pool,
    )
    assert record is not None
    assert (
        await finish_if_complete(record, pool=pool, storage=storage, bucket=bucket, publish=publish)
        is ImportStatus.FAILED
    )
    assert published[0].error_file_key is None


async def test_an_import_whose_message_failed_every_retry_ends_with_a_clear_problem(
    pool: asyncpg.Pool, storage: Minio, bucket: str
) -> None:
    account, import_id = await uploaded_import(pool, storage, bucket)
    # Rows 2 and 3 were decided (one created, one invalid) before a message of row 4 broke.
    await record_outcomes(
        outcomes(
            account,
            import_id,
            Stage.VALIDATION,
            2,
            RowOutcome(
                row_no=3,
                kind=OutcomeKind.INVALID,
                errors=(RowError(field=Field.FULL_NAME, code="full_name.required"),),
            ),
        ),
        pool=pool,
    )
    await pool.execute("UPDATE imports SET created_count = 1 WHERE id = $1", import_id)
    published: list[ImportFinished] = []

    async def publish(event: ImportFinished) -> None:
        published.append(event)

    status = await interrupt_import(
        import_id, pool=pool, storage=storage, bucket=bucket, publish=publish
    )
    assert status is ImportStatus.PARTIALLY_IMPORTED
    # A second dead letter of the same import changes nothing.
    again = await interrupt_import(
        import_id, pool=pool, storage=storage, bucket=bucket, publish=publish
    )
    assert again is None
    record = await pool.fetchrow("SELECT * FROM imports WHERE id = $1", import_id)
    assert record["status"] == "partially_imported"
    assert record["created_count"] == 1  # what was created stays
    (problem,) = record["problems"]
    assert (problem["code"], problem["params"]) == ("import.interrupted", {"decided": "2"})
    assert "2 linhas" in render_problem(FileProblem.model_validate(problem))
    assert [(e.status, e.created) for e in published] == [(ImportStatus.PARTIALLY_IMPORTED, 1)]
    # The rows that failed before the interruption have their error file, as the user wrote them.
    assert published[0].error_file_key == record["error_file_key"] is not None
    written = storage.get_object(bucket, record["error_file_key"]).read().decode("cp1252")
    rows = list(csv.reader(io.StringIO(written, newline=""), delimiter=";"))
    assert rows[0] == ["Nome completo", "E-mail", "Erros"]
    assert rows[1][:2] == ["", "sem-nome@x.com"]
    assert rows[1][2].startswith("Linha 3: ")
    assert len(rows) == 2
