"""The event catalogue: every topic with its event schema, as an AsyncAPI document.

`python -m shared.event_catalogue > docs/asyncapi.json` regenerates the checked-in copy; a test
keeps the two equal, so the document always says what the code sends.
"""

import json
from dataclasses import dataclass
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from pydantic import BaseModel

from shared import topics
from shared.events import (
    CustomerCreated,
    CustomersCreated,
    FileAccepted,
    FileRangeToValidate,
    FileValidated,
    ImportFinished,
    RowOutcomes,
    RowsValidated,
    SubscriptionCreated,
    SubscriptionRetryRequested,
)


@dataclass(frozen=True)
class Channel:
    """A topic, the event it carries, and who may rely on it."""

    topic: str
    event: type[BaseModel]
    public: bool
    description: str


CHANNELS: tuple[Channel, ...] = (
    Channel(
        topics.FILE_ACCEPTED,
        FileAccepted,
        True,
        "An import was started; its file is in object storage. Key: import id.",
    ),
    Channel(
        topics.CUSTOMER_CREATED,
        CustomerCreated,
        True,
        "A customer was created from a row of an import. Key: customer id. Delivered at least "
        "once: deduplicate on event_id.",
    ),
    Channel(
        topics.SUBSCRIPTION_CREATED,
        SubscriptionCreated,
        True,
        "A customer was subscribed to the import's plan; carries the contact channels to ask "
        "for a card before the first charge (never card data). Key: customer id.",
    ),
    Channel(
        topics.IMPORT_FINISHED,
        ImportFinished,
        True,
        "An import reached its final status (again after a subscription retry). Key: import id.",
    ),
    Channel(
        topics.FILE_RANGES,
        FileRangeToValidate,
        False,
        "Internal: a range of an accepted file for any validator replica. "
        "Key: import id and range.",
    ),
    Channel(
        topics.ROWS_VALIDATED,
        RowsValidated,
        False,
        "Internal: a batch of valid rows for the customer writer. Key: import id and range "
        "(a range's batches in file order; the ranges of a large file spread over writers).",
    ),
    Channel(
        topics.ROW_OUTCOMES,
        RowOutcomes,
        False,
        "Internal: what each stage decided for a batch of rows. Key: import id.",
    ),
    Channel(
        topics.FILE_VALIDATED,
        FileValidated,
        False,
        "Internal: the file's row count, or why it is unusable. Key: import id.",
    ),
    Channel(
        topics.CUSTOMERS_CREATED,
        CustomersCreated,
        False,
        "Internal: the customers one batch of rows created, for the subscription service. "
        "Key: import id and the batch's first row (an import's batches spread over partitions).",
    ),
    Channel(
        topics.SUBSCRIPTION_RETRIES,
        SubscriptionRetryRequested,
        False,
        "Internal: customers to subscribe again. Key: import id.",
    ),
)


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document of every topic and event."""
    broker = KafkaBroker()
    for channel in CHANNELS:
        audience = "Public" if channel.public else "Internal"
        broker.publisher(
            channel.topic,
            schema=channel.event,
            title=channel.topic,
            description=f"{audience}. {channel.description}",
        )
    spec = AsyncAPI(
        broker,
        title="Customer import events",
        version="1.0.0",
        description="Events of the bulk customer import. Every event carries event_id, "
        "import_id, account_id, occurred_at and schema_version; adding an optional field keeps "
        "the version, a breaking change bumps it.",
        schema_version="3.0.0",
    )
    document: dict[str, Any] = json.loads(spec.to_specification().to_json())
    return document


def main() -> None:
    """Print the document (stable key order, so the checked-in copy diffs cleanly)."""
    print(json.dumps(asyncapi_document(), indent=2, sort_keys=True, ensure_ascii=False))


if __name__ == "__main__":
    main()
