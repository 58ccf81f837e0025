"""Topic names: one place, never renamed (a breaking change bumps the event's schema_version)."""

from shared.settings import KafkaSettings

# Public: other services may subscribe to these.
FILE_ACCEPTED = "customer-import.file-accepted"
CUSTOMER_CREATED = "customer-import.customer-created"
IMPORT_FINISHED = "customer-import.import-finished"
SUBSCRIPTION_CREATED = "customer-import.subscription-created"

# Internal: the import pipeline's own hops.
FILE_RANGES = "customer-import.file-ranges"
ROWS_VALIDATED = "customer-import.rows-validated"
CUSTOMERS_CREATED = "customer-import.customers-created"
ROW_OUTCOMES = "customer-import.row-outcomes"
FILE_VALIDATED = "customer-import.file-validated"
SUBSCRIPTION_RETRIES = "customer-import.subscription-retries"

# Messages that failed every retry, kept for an operator to inspect and replay.
DEAD_LETTER = "customer-import.dead-letter"

ALL_TOPICS: tuple[str, ...] = (
    FILE_ACCEPTED,
    CUSTOMER_CREATED,
    IMPORT_FINISHED,
    SUBSCRIPTION_CREATED,
    FILE_RANGES,
    ROWS_VALIDATED,
    CUSTOMERS_CREATED,
    ROW_OUTCOMES,
    FILE_VALIDATED,
    SUBSCRIPTION_RETRIES,
    DEAD_LETTER,
)


def topic(name: str, settings: KafkaSettings) -> str:
    """The topic's name in this environment (with the configured prefix)."""
    return f"{settings.topic_prefix}{name}"
