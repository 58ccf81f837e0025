"""How an import is shown by the API."""

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel

from services.upload.problems import ApiProblemError
from shared.csv_format import DialectDetection
from shared.events import ImportStatus
from shared.file_problems import FileProblem, Locale, render_problem
from shared.import_progress import progress, rows_per_second


class Counts(BaseModel):
    """Rows of the file by outcome; total is known once the whole file was read."""

    total: int | None
    validated: int
    created: int
    failed: int
    skipped: int
    subscribed: int
    subscription_failed: int


class PlanView(BaseModel):
    """The plan every customer of the import is subscribed to."""

    plan_id: UUID
    start_date: date
    payment_method: str
    charges_acknowledged_at: datetime


class ProblemView(BaseModel):
    """A file-level problem with its message."""

    code: str
    line: int | None
    message: str


class Links(BaseModel):
    """Where to fetch the import and its files."""

    self: str
    original_file: str
    error_file: str | None


class ImportView(BaseModel):
    """One import as the API shows it; created_by / started_by: the responsible users' ids."""

    id: UUID
    file_name: str
    status: ImportStatus
    size_bytes: int
    encoding: str | None
    delimiter: str | None
    columns: dict[str, str]
    # How sure the pre-check is of the encoding and delimiter, and what else they could be.
    detection: DialectDetection | None = None
    counts: Counts
    plan: PlanView | None
    progress: float
    # Rows decided per second: live while processing, the whole import's average once final.
    rows_per_second: float | None = None
    problems: list[ProblemView]
    created_at: datetime
    created_by: UUID | None
    started_at: datetime | None
    started_by: UUID | None
    finished_at: datetime | None
    # Set when the original and error files were removed (kept for two months); links answer 410.
    files_expired_at: datetime | None = None
    links: Links


class ImportPage(BaseModel):
    """A page of the import list, with the cursor of the next page."""

    items: list[ImportView]
    next_cursor: str | None


def import_view(record: asyncpg.Record, locale: Locale) -> ImportView:
    """Build the view of an imports row."""
    status = ImportStatus(record["status"])
    base = f"/v1/imports/{record['id']}"
    return ImportView(
        id=record["id"],
        file_name=record["file_name"],
        status=status,
        size_bytes=record["size_bytes"],
        encoding=record["encoding"],
        delimiter=record["delimiter"],
        columns=record["columns"],
        detection=record["detection"],
        counts=Counts(
            total=record["total_rows"],
            validated=record["rows_validated"],
            created=record["created_count"],
            failed=record["failed_count"],
            skipped=record["skipped_count"],
            subscribed=record["subscribed_count"],
            subscription_failed=record["subscription_failed_count"],
        ),
        plan=PlanView(
            plan_id=record["plan_id"],
            start_date=record["subscription_start"],
            payment_method=record["payment_method"],
            charges_acknowledged_at=record["charges_acknowledged_at"],
        )
        if record["plan_id"]
        else None,
        progress=round(progress(record), 4),
        rows_per_second=rows_per_second(record, datetime.now(UTC)),
        problems=[_problem_view(problem, locale) for problem in record["problems"]],
        created_at=record["created_at"],
        created_by=record["created_by"],
        started_at=record["started_at"],
        started_by=record["started_by"],
        finished_at=record["finished_at"],
        files_expired_at=record["files_expired_at"],
        links=Links(
            self=base,
            original_file=f"{base}/files/original",
            error_file=f"{base}/files/errors" if record["error_file_key"] else None,
        ),
    )


def _problem_view(raw: dict[str, Any], locale: Locale) -> ProblemView:
    problem = FileProblem.model_validate(raw)
    return ProblemView(
        code=problem.code, line=problem.line, message=render_problem(problem, locale)
    )


def accepted_or_refused(view: ImportView) -> ImportView:
    """The view of an uploaded file, or the 422 listing every problem of a rejected one."""
    if view.status is ImportStatus.REJECTED:
        raise ApiProblemError(
            422,
            "import.rejected",
            "; ".join(problem.message for problem in view.problems),
            import_id=str(view.id),
            problems=[problem.model_dump() for problem in view.problems],
        )
    return view
