"""Every event the services exchange: frozen pydantic models, each the schema of its topic.

Envelope on every event: event_id, import_id, account_id, occurred_at, schema_version.
Adding an optional field keeps the version; a breaking change bumps it.
"""

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from hashlib import sha1
from operator import itemgetter
from types import GenericAlias
from typing import Any, Literal, NamedTuple
from uuid import UUID, SafeUUID, uuid4, uuid5

import orjson
from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator
from pydantic.config import JsonDict, JsonValue

from shared.csv_format import CsvDialect
from shared.customer import CustomerFields, CustomerRecord
from shared.file_problems import FileProblem, Locale
from shared.rules.custom_fields import CustomFieldDefinition
from shared.rules.errors import RowError
from shared.rules.fields import Field as CustomerField

# Examples shown in the event catalogue (AsyncAPI); tests check each validates.
_ENVELOPE: JsonDict = {
    "event_id": "6a1f9a52-3c4e-5b7d-8e9f-0a1b2c3d4e5f",
    "import_id": "0b9e7c52-41d8-4f2a-9a63-5c1e8d7f2b40",
    "account_id": "5f0c3a1e-2b4d-4c6e-8f0a-1b2c3d4e5f60",
    "occurred_at": "2026-11-22T10:15:30Z",
    "schema_version": 1,
}
_CUSTOMER_EXAMPLE: JsonDict = {
    "full_name": "João Gonçalves",
    "email": "joao.goncalves@exemplo.com.br",
    "document": "39053344705",
    "document_kind": "cpf",
    "phone_type": "celular",
    "phone_ddi": "55",
    "phone_ddd": "11",
    "phone_number": "987654321",
    "postal_code": "01310100",
    "street": "Avenida Paulista",
    "street_number": "1000",
    "city": "São Paulo",
    "state": "SP",
    "external_code": "CLI-000123",
    "custom_fields": {"loyalty_level": "Ouro", "birthday": "1990-05-17", "newsletter": True},
}


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

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    **_ENVELOPE,
                    "event_type": "file_accepted",
                    "object_key": "accounts/5f0c…/imports/0b9e…/original.csv",
                    "file_name": "clientes.csv",
                    "size_bytes": 52450,
                    "dialect": {"encoding": "utf-8-sig", "delimiter": ";"},
                    "required_fields": ["full_name", "email"],
                    "locale": "pt-BR",
                    "mapping": {"0": "full_name", "1": "email", "3": "loyalty_level"},
                    "custom_fields": [
                        {
                            "key": "loyalty_level",
                            "label": "Nível de fidelidade",
                            "type": "one_of",
                            "required": False,
                            "options": ["Bronze", "Prata", "Ouro"],
                        }
                    ],
                }
            ]
        },
    )

    event_type: Literal["file_accepted"] = "file_accepted"
    object_key: str
    file_name: str
    size_bytes: int
    dialect: CsvDialect
    required_fields: tuple[CustomerField, ...] = (CustomerField.FULL_NAME,)
    locale: Locale = "pt-BR"
    # The columns as the user mapped them: column index (0 = first) -> a customer field or the
    # key of a custom field; columns left out are ignored. None: the validator recognises the
    # header by itself (template names and synonyms), as before mappings existed.
    mapping: dict[int, str] | None = Field(
        default=None,
        description="Column index (0 = first) -> customer field or custom field key; "
        "unlisted columns are ignored. Absent: the header is recognised automatically.",
    )
    # The account's custom fields when the import started (the mapping may name them).
    custom_fields: tuple[CustomFieldDefinition, ...] = Field(
        default=(), description="The account's custom registration fields at the start."
    )


class FileRangeToValidate(Event):
    """One range of an accepted file, cut at a record boundary, for any validator replica.

    The validator that reads *file accepted* cuts the file into ranges as it scans it; the
    ranges are validated in parallel (ranged reads of the stored object), each knowing the
    spreadsheet row number of its first record and the file's header.
    """

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    **_ENVELOPE,
                    "event_type": "file_range_to_validate",
                    "file": {
                        **_ENVELOPE,
                        "event_type": "file_accepted",
                        "object_key": "accounts/5f0c…/imports/0b9e…/original.csv",
                        "file_name": "clientes.csv",
                        "size_bytes": 52450,
                        "dialect": {"encoding": "utf-8-sig", "delimiter": ";"},
                        "required_fields": ["full_name"],
                        "locale": "pt-BR",
                    },
                    "header": ["Nome completo", "E-mail", "CPF ou CNPJ"],
                    "range_index": 1,
                    "start_byte": 16777301,
                    "end_byte": 33554470,
                    "first_row_no": 94213,
                }
            ]
        },
    )

    event_type: Literal["file_range_to_validate"] = "file_range_to_validate"
    file: FileAccepted
    header: tuple[str, ...]
    range_index: int
    start_byte: int
    # Exclusive; None: to the end of the file.
    end_byte: int | None
    first_row_no: int


class ValidRow(NamedTuple):
    """One row that passed every rule, with the line the user sees it on."""

    row_no: int
    customer: CustomerFields


# One column per customer field, each a tuple of the field's values (the same types).
_CUSTOMER_COLUMN_TYPES: dict[str, Any] = {
    name: (GenericAlias(tuple, (field.annotation, ...)), ...)
    for name, field in CustomerRecord.model_fields.items()
}
CUSTOMER_COLUMNS: tuple[str, ...] = tuple(_CUSTOMER_COLUMN_TYPES)
_customer_values = itemgetter(*CUSTOMER_COLUMNS)

CustomerColumns = create_model(
    "CustomerColumns",
    __config__=ConfigDict(frozen=True),
    __doc__="Valid customers column by column: one tuple per CustomerRecord field.",
    **_CUSTOMER_COLUMN_TYPES,
)


def _column_example(customer: JsonDict) -> JsonDict:
    values = CustomerRecord.model_validate(customer).model_dump(mode="json")
    return {name: [values[name]] for name in CUSTOMER_COLUMNS}


class RowsValidated(Event):
    """The valid rows of one contiguous range of the file, for the writer, column by column.

    Columns, not a customer object per row: the field names are not repeated hundreds of times
    (less than half the bytes), and parsing a few long lists of strings costs the writer a
    tenth of building a model per row.
    """

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    **_ENVELOPE,
                    "event_type": "rows_validated",
                    "first_row_no": 2,
                    "last_row_no": 2,
                    "row_numbers": [2],
                    "columns": _column_example(_CUSTOMER_EXAMPLE),
                }
            ]
        },
    )

    event_type: Literal["rows_validated"] = "rows_validated"
    first_row_no: int
    last_row_no: int
    # The spreadsheet line of each row; the i-th value of every column belongs to the i-th row.
    row_numbers: tuple[int, ...]
    columns: CustomerColumns

    @model_validator(mode="after")
    def _columns_as_long_as_rows(self) -> "RowsValidated":
        rows = len(self.row_numbers)
        if uneven := [name for name in CUSTOMER_COLUMNS if len(self.column(name)) != rows]:
            raise ValueError(f"columns {uneven} do not have one value per row ({rows} rows)")
        return self

    @classmethod
    def of_rows(cls, rows: Sequence[ValidRow], **envelope: Any) -> "RowsValidated":
        """The event of these rows, in order; `envelope`: the event's other fields."""
        # Each customer's values in column order (itemgetter: one C call), then transposed.
        transposed = list(zip(*(_customer_values(row.customer) for row in rows), strict=True))
        columns: dict[str, Any] = dict(
            zip(CUSTOMER_COLUMNS, transposed or [()] * len(CUSTOMER_COLUMNS), strict=True)
        )
        return cls(
            row_numbers=tuple(row.row_no for row in rows),
            # The values come from the rules: no second validation (the writer validates).
            columns=CustomerColumns.model_construct(None, **columns),
            **envelope,
        )

    def column(self, name: str) -> tuple[Any, ...]:
        """The values of one customer field, a value per row."""
        values: tuple[Any, ...] = getattr(self.columns, name)
        return values

    def customer_values(self) -> list[dict[str, Any]]:
        """Each row's customer as CustomerRecord's fields in order (what its JSON carries)."""
        columns = [self.column(name) for name in CUSTOMER_COLUMNS]
        return [
            dict(zip(CUSTOMER_COLUMNS, values, strict=True))
            for values in zip(*columns, strict=True)
        ]


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
    that did not go on: the validator's rejected rows, the writer's skipped rows (the other rows
    of a write batch were created: rows_seen minus the skipped; a writer may list those too,
    as CREATED), every row of a subscription batch.
    """

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    **_ENVELOPE,
                    "event_type": "row_outcomes",
                    "stage": "write",
                    "first_row_no": 2,
                    "last_row_no": 3,
                    "rows_seen": 2,
                    "outcomes": [
                        {
                            "row_no": 2,
                            "kind": "created",
                            "customer_id": "3b0e2f4c-1d7a-5b8e-9c61-2f4a6b8d0e13",
                        },
                        {
                            "row_no": 3,
                            "kind": "duplicate",
                            "errors": [
                                {
                                    "field": "email",
                                    "code": "email.repeated_in_file",
                                    "params": {"row": "2"},
                                }
                            ],
                        },
                    ],
                }
            ]
        },
    )

    event_type: Literal["row_outcomes"] = "row_outcomes"
    stage: Stage
    first_row_no: int
    last_row_no: int
    rows_seen: int
    outcomes: tuple[RowOutcome, ...]


class FileValidated(Event):
    """The validator read the whole file: how many data rows it has, or why it is unusable."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    **_ENVELOPE,
                    "event_type": "file_validated",
                    "total_rows": 300,
                    "columns": {"full_name": "Nome completo", "email": "E-mail"},
                    "problems": [],
                }
            ]
        },
    )

    event_type: Literal["file_validated"] = "file_validated"
    total_rows: int
    # Field -> the header text the user wrote, so messages name the user's own columns.
    columns: dict[CustomerField, str] = {}
    problems: tuple[FileProblem, ...] = ()


class CustomerCreated(Event):
    """A customer was created from a row of an import (public)."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    **_ENVELOPE,
                    "event_type": "customer_created",
                    "customer_id": "3b0e2f4c-1d7a-5b8e-9c61-2f4a6b8d0e13",
                    "row_no": 2,
                    "customer": _CUSTOMER_EXAMPLE,
                }
            ]
        },
    )

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

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    **_ENVELOPE,
                    "event_type": "subscription_created",
                    "subscription_id": "8c1d5e2a-7b3f-5a9c-8d04-6e2f1a3b5c7d",
                    "customer_id": "3b0e2f4c-1d7a-5b8e-9c61-2f4a6b8d0e13",
                    "row_no": 2,
                    "plan_id": "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b",
                    "plan_name": "Clube do Café",
                    "start_date": "2026-12-01",
                    "next_billing_date": "2026-12-10",
                    "payment_method": "credit_card",
                    "contact": {
                        "email": "joao.goncalves@exemplo.com.br",
                        "phone": "+5511987654321",
                    },
                }
            ]
        },
    )

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


_CUSTOMER_REFS_EXAMPLE: list[JsonValue] = [
    {"row_no": 2, "customer_id": "3b0e2f4c-1d7a-5b8e-9c61-2f4a6b8d0e13"}
]


class CustomersCreated(Event):
    """The customers one batch of valid rows created, for the import's own later steps.

    Internal: *customer created* is the public, per-customer form of the same facts. The
    subscription service reads this one, a message per batch: most imports ask for no plan,
    and reading a message per customer only to skip it was most of its work. Two columns,
    not an object per customer: the writer builds and the subscription service parses two
    lists instead of a thousand models.
    """

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    **_ENVELOPE,
                    "event_type": "customers_created",
                    "row_numbers": [2],
                    "customer_ids": ["3b0e2f4c-1d7a-5b8e-9c61-2f4a6b8d0e13"],
                }
            ]
        },
    )

    event_type: Literal["customers_created"] = "customers_created"
    # The spreadsheet line of each customer; the i-th id is the customer of the i-th line.
    row_numbers: tuple[int, ...]
    customer_ids: tuple[UUID, ...]

    @model_validator(mode="after")
    def _an_id_per_row(self) -> "CustomersCreated":
        if len(self.customer_ids) != len(self.row_numbers):
            raise ValueError(
                f"{len(self.customer_ids)} customer ids for {len(self.row_numbers)} rows: "
                "each row needs exactly one"
            )
        return self

    def customers(self) -> list[CustomerRef]:
        """Each created customer with the row it came from, in row order."""
        return [
            CustomerRef(row_no=row_no, customer_id=customer_id)
            for row_no, customer_id in zip(self.row_numbers, self.customer_ids, strict=True)
        ]


class SubscriptionRetryRequested(Event):
    """Someone asked to subscribe again the customers of an import whose subscription failed."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    **_ENVELOPE,
                    "event_type": "subscription_retry_requested",
                    "customers": _CUSTOMER_REFS_EXAMPLE,
                }
            ]
        },
    )

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

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    **_ENVELOPE,
                    "event_type": "import_finished",
                    "status": "partially_imported",
                    "total_rows": 300,
                    "created": 276,
                    "failed": 18,
                    "skipped": 6,
                    "subscribed": 0,
                    "subscription_failed": 0,
                    "error_file_key": "accounts/5f0c…/imports/0b9e…/errors.csv",
                }
            ]
        },
    )

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


def customer_ids_for(import_id: UUID, row_numbers: Iterable[int]) -> list[UUID]:
    """customer_id_for each row of a batch (the same ids, twice as fast)."""
    return _uuid5_batch(f"{import_id}:", row_numbers)


def derived_event_ids(kind: str, import_id: UUID, row_numbers: Iterable[int]) -> list[UUID]:
    """derived_event_id(kind, import_id, row_no) for each row of a batch (the same ids)."""
    return _uuid5_batch(f"{kind}:{import_id}:", row_numbers)


# uuid5's version and variant bits (RFC 9562), as uuid.UUID(..., version=5) sets them.
_UUID5_CLEAR = ~((0xC000 << 48) | (0xF000 << 64)) & ((1 << 128) - 1)
_UUID5_SET = (0x8000 << 48) | (5 << 76)
# An enum member is looked up through a property on every access: once is enough.
_UUID_SAFETY_UNKNOWN = SafeUUID.unknown


def _uuid5_batch(prefix: str, suffixes: Iterable[int]) -> list[UUID]:
    """uuid5(_CUSTOMER_NAMESPACE, prefix + str(suffix)) for each suffix.

    The writer derives two ids per row. uuid.uuid5 hashes the namespace and the common prefix
    again for every name and checks its arguments in UUID.__init__; here the prefix is hashed
    once (sha1 copied per name) and each UUID is set the way uuid.py sets its own fields.
    A property test holds every id equal to uuid.uuid5's.
    """
    common = sha1(_CUSTOMER_NAMESPACE.bytes + prefix.encode())
    ids = []
    for suffix in suffixes:
        digest = common.copy()
        digest.update(str(suffix).encode())
        derived = object.__new__(UUID)
        object.__setattr__(
            derived, "int", (int.from_bytes(digest.digest()[:16]) & _UUID5_CLEAR) | _UUID5_SET
        )
        object.__setattr__(derived, "is_safe", _UUID_SAFETY_UNKNOWN)
        ids.append(derived)
    return ids


# The envelope comes first in every event's JSON: its import id is within the first bytes.
_ENVELOPE_IMPORT_ID = re.compile(rb'^\{"event_id":"[0-9a-f-]{36}","import_id":"([0-9a-f-]{36})"')


def import_id_of(body: bytes) -> str | None:
    """The import a raw message belongs to (every event's envelope names it), if it has one.

    Every message is asked this (the log context), and a batch of rows is hundreds of
    kilobytes: our events answer from their first bytes, anything else is parsed whole.
    """
    if match := _ENVELOPE_IMPORT_ID.match(body):
        return match.group(1).decode()
    try:
        value = orjson.loads(body).get("import_id")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return value if isinstance(value, str) else None
