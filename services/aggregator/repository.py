"""SQL of the aggregator: outcome ledger, failures, counters, final status."""

from uuid import UUID

import asyncpg

from shared.events import ImportStatus, OutcomeKind, RowOutcome, RowOutcomes
from shared.file_problems import FileProblem

INSERT_FAILURES = """
INSERT INTO import_row_failures (import_id, row_no, kind, errors)
SELECT $1, (failure ->> 'row_no')::int, failure ->> 'kind', failure -> 'errors'
FROM jsonb_array_elements($2::jsonb) AS failure
ON CONFLICT DO NOTHING
"""

# A validation or write batch counted in one statement (atomic by itself): its tracking key,
# its failed rows and its counts. A redelivered batch finds its key taken, so the failures and
# the counts, which only follow a claimed key, are not added again; no row comes back. One
# round trip where a transaction of claim, failures and counts took five.
COUNT_BATCH = """
WITH claimed AS (
    INSERT INTO import_outcome_batches (import_id, stage, first_row_no)
    VALUES ($1, $2, $3)
    ON CONFLICT DO NOTHING
    RETURNING import_id
), kept AS (
    INSERT INTO import_row_failures (import_id, row_no, kind, errors)
    SELECT claimed.import_id, (failure ->> 'row_no')::int, failure ->> 'kind', failure -> 'errors'
    FROM claimed, jsonb_array_elements($4::jsonb) AS failure
    ON CONFLICT DO NOTHING
)
UPDATE imports
SET rows_validated = rows_validated + $5,
    created_count = created_count + $6,
    failed_count = failed_count + $7,
    skipped_count = skipped_count + $8
FROM claimed
WHERE imports.id = claimed.import_id
RETURNING imports.*
"""

RECORD_TOTAL = """
UPDATE imports SET total_rows = $2, columns = $3, problems = $4
WHERE id = $1 AND total_rows IS NULL
RETURNING *
"""

# A row's first subscription outcome is kept; a later success (a retry) replaces a failure.
# xmax <> 0 tells an updated row (a failure turned success) from an inserted one.
RECORD_SUBSCRIPTION_OUTCOMES = """
INSERT INTO import_subscription_outcomes AS kept (import_id, row_no, subscribed)
SELECT $1, (outcome ->> 'row_no')::int, outcome ->> 'kind' = 'subscribed'
FROM jsonb_array_elements($2::jsonb) AS outcome
ON CONFLICT (import_id, row_no) DO UPDATE SET subscribed = true
    WHERE NOT kept.subscribed AND excluded.subscribed
RETURNING row_no, subscribed, xmax <> 0 AS was_failure
"""

FORGET_FAILURES = """
DELETE FROM import_row_failures WHERE import_id = $1 AND row_no = ANY($2::int[])
"""

ADD_SUBSCRIPTION_COUNTS = """
UPDATE imports
SET subscribed_count = subscribed_count + $2,
    subscription_failed_count = subscription_failed_count + $3
WHERE id = $1
RETURNING *
"""

GET_IMPORT = "SELECT * FROM imports WHERE id = $1"

FINISH = """
UPDATE imports SET status = $2, error_file_key = $3, finished_at = now()
WHERE id = $1 AND status IN ('uploaded', 'processing')
RETURNING *
"""

# After a retry turned subscription failures into successes: status and error file again.
REFINISH = """
UPDATE imports SET status = $2, error_file_key = $3
WHERE id = $1
RETURNING *
"""

# A message of the import failed every retry: it ends now, keeping what was created.
INTERRUPT = """
UPDATE imports
SET status = CASE WHEN created_count > 0 THEN 'partially_imported' ELSE 'failed' END,
    problems = problems || $2::jsonb,
    error_file_key = $3,
    finished_at = now()
WHERE id = $1 AND status IN ('uploaded', 'processing')
RETURNING *
"""

SELECT_FAILURES = """
SELECT row_no, errors FROM import_row_failures WHERE import_id = $1 ORDER BY row_no
"""


async def insert_failures(
    connection: asyncpg.Connection, *, import_id: UUID, failures: list[RowOutcome]
) -> None:
    """Keep the rows not imported, with their errors, for the error file."""
    await connection.execute(INSERT_FAILURES, import_id, _failure_values(failures))


async def count_batch(
    connection: asyncpg.Connection,
    *,
    event: RowOutcomes,
    validated: int,
    created: int,
    failures: list[RowOutcome],
) -> asyncpg.Record | None:
    """Count a batch once: its failed rows kept, its counts added to the import's counters.

    Returns the import's row as it now stands, or None when the batch was counted before.
    """
    kinds = [outcome.kind for outcome in failures]
    record: asyncpg.Record | None = await connection.fetchrow(
        COUNT_BATCH,
        event.import_id,
        event.stage.value,
        event.first_row_no,
        _failure_values(failures),
        validated,
        created,
        kinds.count(OutcomeKind.INVALID),
        kinds.count(OutcomeKind.DUPLICATE),
    )
    return record


def _failure_values(failures: list[RowOutcome]) -> list[dict[str, object]]:
    return [
        failure.model_dump(mode="json", include={"row_no", "kind", "errors"})
        for failure in failures
    ]


async def record_total(
    connection: asyncpg.Connection,
    *,
    import_id: UUID,
    total_rows: int,
    columns: dict[str, str],
    problems: list[FileProblem],
) -> asyncpg.Record | None:
    """Record how many rows the file has (once)."""
    record: asyncpg.Record | None = await connection.fetchrow(
        RECORD_TOTAL, import_id, total_rows, columns, [p.model_dump(mode="json") for p in problems]
    )
    return record


async def record_subscription_outcomes(
    connection: asyncpg.Connection, *, event: RowOutcomes
) -> list[asyncpg.Record]:
    """Keep each row's subscription outcome once; returns the rows that changed."""
    outcomes = [o.model_dump(mode="json", include={"row_no", "kind"}) for o in event.outcomes]
    changed: list[asyncpg.Record] = await connection.fetch(
        RECORD_SUBSCRIPTION_OUTCOMES, event.import_id, outcomes
    )
    return changed


async def forget_failures(
    connection: asyncpg.Connection, *, import_id: UUID, row_numbers: list[int]
) -> None:
    """Drop rows that are no longer failures from the error file's list."""
    await connection.execute(FORGET_FAILURES, import_id, row_numbers)


async def add_subscription_counts(
    connection: asyncpg.Connection, *, import_id: UUID, subscribed: int, failed: int
) -> asyncpg.Record:
    """Add subscription outcomes to the import's counters."""
    record: asyncpg.Record = await connection.fetchrow(
        ADD_SUBSCRIPTION_COUNTS, import_id, subscribed, failed
    )
    return record


async def get_import(connection: asyncpg.Connection, *, import_id: UUID) -> asyncpg.Record | None:
    """The import's row."""
    record: asyncpg.Record | None = await connection.fetchrow(GET_IMPORT, import_id)
    return record


async def finish(
    connection: asyncpg.Connection,
    *,
    import_id: UUID,
    status: ImportStatus,
    error_file_key: str | None,
    again: bool,
) -> asyncpg.Record | None:
    """Set the final status; None if another delivery finished it first (unless `again`)."""
    record: asyncpg.Record | None = await connection.fetchrow(
        REFINISH if again else FINISH, import_id, status.value, error_file_key
    )
    return record


async def interrupt(
    connection: asyncpg.Connection,
    *,
    import_id: UUID,
    problem: FileProblem,
    error_file_key: str | None,
) -> asyncpg.Record | None:
    """End an import that cannot go on; None if it had already ended (or does not exist)."""
    record: asyncpg.Record | None = await connection.fetchrow(
        INTERRUPT, import_id, [problem.model_dump(mode="json")], error_file_key
    )
    return record
