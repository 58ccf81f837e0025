"""Every event the services exchange: frozen pydantic models, each the schema of its topic.

Envelope on every event: event_id, import_id, account_id, occurred_at, schema_version.
Adding an optional field keeps the version; a breaking change bumps it.
"""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Literal
from uuid import UUID, uuid4, uuid5

from pydantic import BaseModel, ConfigDict, Field

from shared.csv_format import CsvDialect
from shared.customer import CustomerRecord
from shared.file_problems import FileProblem, Locale
from shared.rules.errors import RowError
from shared.rules.fields import Field as CustomerField


def _now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """The envelope every event carries."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID = Field(default_factory=uuid4)
    import_id: UUID
    account_id: UUID
    occurred_at: datetime = Field(default_factory=_now)
    schema_version: int = 1


class FileAccepted(Event):
    """An import was started: its file is in object storage and may be validated."""

    event_type: Literal["file_accepted"] = "file_accepted"
    object_key: str
    file_name: str
    size_bytes: int
    dialect: CsvDialect
    required_fields: tuple[CustomerField, ...] = (CustomerField.FULL_NAME,)
    locale: Locale = "pt-BR"


class ValidRow(BaseModel):
    """One row that passed every rule, with the line the user sees it on."""

    model_config = ConfigDict(frozen=True)

    row_no: int
    customer: CustomerRecord


class RowsValidated(Event):
    """The valid rows of one contiguous range of the file, for the writer."""

    event_type: Literal["rows_validated"] = "rows_validated"
    first_row_no: int
    last_row_no: int
    rows: tuple[ValidRow, ...]


class OutcomeKind(StrEnum):
    """The terminal outcome of one data row."""

    CREATED = "created"
    INVALID = "invalid"
    DUPLICATE = "duplicate"
    # After CREATED, when the import asked for a plan.
    SUBSCRIBED = "subscribed"
    SUBSCRIPTION_FAILED = "subscription_failed"


class RowOutcome(BaseModel):
    """What happened to one row, and why when it was not imported."""

    model_config = ConfigDict(frozen=True)

    row_no: int
    kind: OutcomeKind
    errors: tuple[RowError, ...] = ()
    customer_id: UUID | None = None


class Stage(StrEnum):
    """The pipeline stage that decided a batch of outcomes."""

    VALIDATION = "validation"
    WRITE = "write"
    SUBSCRIPTION = "subscription"


class RowOutcomes(Event):
    """Outcomes one stage decided for a contiguous range of rows.

    (import_id, stage, first_row_no) identifies the batch: the aggregator counts it once.
    Subscription outcomes are counted once per row instead (their batches are not stable).
    rows_seen is how many data rows of the range the stage looked at; outcomes lists the rows
    it decided (the validator lists only the rows it rejected).
    """

    event_type: Literal["row_outcomes"] = "row_outcomes"
    stage: Stage
    first_row_no: int
    last_row_no: int
    rows_seen: int
    outcomes: tuple[RowOutcome, ...]


class FileValidated(Event):
    """The validator read the whole file: how many data rows it has, or why it is unusable."""

    event_type: Literal["file_validated"] = "file_validated"
    total_rows: int
    # Field -> the header text the user wrote, so messages name the user's own columns.
    columns: dict[CustomerField, str] = {}
    problems: tuple[FileProblem, ...] = ()


class CustomerCreated(Event):
    """A customer was created from a row of an import (public)."""

    event_type: Literal["customer_created"] = "customer_created"
    customer_id: UUID
    row_no: int
    customer: CustomerRecord


class Contact(BaseModel):
    """The channels a customer can be reached on, to ask for card details at the first charge."""

    model_config = ConfigDict(frozen=True)

    email: str | None
    phone: str | None  # E.164, e.g. +5511987654321


class SubscriptionCreated(Event):
    """A customer of an import was subscribed to the import's plan (public).

    No card data ever passes here: a billing or notification service uses `contact` to ask
    the customer for a card before the first charge.
    """

    event_type: Literal["subscription_created"] = "subscription_created"
    subscription_id: UUID
    customer_id: UUID
    row_no: int
    plan_id: UUID
    plan_name: str
    start_date: date
    next_billing_date: date
    payment_method: Literal["credit_card"]
    contact: Contact


class CustomerRef(BaseModel):
    """A customer of an import: the row it came from and its id."""

    model_config = ConfigDict(frozen=True)

    row_no: int
    customer_id: UUID


class SubscriptionRetryRequested(Event):
    """Someone asked to subscribe again the customers of an import whose subscription failed."""

    event_type: Literal["subscription_retry_requested"] = "subscription_retry_requested"
    customers: tuple[CustomerRef, ...]


class ImportStatus(StrEnum):
    """Where an import stands; the last three are final."""

    UPLOADED = "uploaded"
    REJECTED = "rejected"
    PROCESSING = "processing"
    IMPORTED = "imported"
    PARTIALLY_IMPORTED = "partially_imported"
    FAILED = "failed"


FINAL_STATUSES = frozenset(
    {ImportStatus.IMPORTED, ImportStatus.PARTIALLY_IMPORTED, ImportStatus.FAILED}
)


class ImportFinished(Event):
    """An import reached its final status (public)."""

    event_type: Literal["import_finished"] = "import_finished"
    status: ImportStatus
    total_rows: int
    created: int
    failed: int
    skipped: int
    error_file_key: str | None
    subscribed: int = 0
    subscription_failed: int = 0


# Redelivery must produce the same identifiers: derive them from what they stand for.
_CUSTOMER_NAMESPACE = UUID("6f1c1e0e-3f7a-4a59-9d51-2a8c0f6f4c11")


def customer_id_for(import_id: UUID, row_no: int) -> UUID:
    """The customer id a row of an import gets, the same on every redelivery."""
    return uuid5(_CUSTOMER_NAMESPACE, f"{import_id}:{row_no}")


def derived_event_id(*parts: object) -> UUID:
    """An event id determined by what the event reports, so a re-publish is recognisable."""
    return uuid5(_CUSTOMER_NAMESPACE, ":".join(str(part) for part in parts))
