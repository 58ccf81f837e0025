"""Customers one at a time: the import's rules for a single customer, and the customer search."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Final
from uuid import UUID, uuid4

import asyncpg

from services.upload import customers_repository as repository
from shared.customer import CustomerRecord, CustomValue
from shared.rules.cleaning import clean_cell
from shared.rules.custom_fields import CustomFieldDefinition, with_custom_values
from shared.rules.errors import ErrorCode, Locale, RowError
from shared.rules.fields import Field
from shared.rules.validate import DEFAULT_REQUIRED, validate_row

# Brasília time decides when a start date "has arrived"; Brazil has had no DST since 2019.
BRASILIA: Final = timezone(timedelta(hours=-3), "BRT")


def today_in_brazil() -> date:
    """Today's date in Brasília."""
    return datetime.now(BRASILIA).date()


class CustomerStatus(StrEnum):
    """Active: a subscription whose start date has arrived; inactive otherwise."""

    ACTIVE = "active"
    INACTIVE = "inactive"


def status_of(active: bool) -> CustomerStatus:
    """The status for the `active` flag the queries compute."""
    return CustomerStatus.ACTIVE if active else CustomerStatus.INACTIVE


# --- one customer: the import's rules ------------------------------------------------------

UNKNOWN_FIELD: Final = "field.unknown"
VALUE_NOT_TEXT: Final = "value.not_text"
UNKNOWN_CUSTOM_FIELD: Final = "custom_field.unknown"
CUSTOM_FIELDS_NOT_OBJECT: Final = "custom_fields.not_object"
CUSTOM_VALUE_NOT_SCALAR: Final = "custom_value.not_scalar"
# The request key that holds the custom fields' values: {"custom_fields": {"key": value}}.
CUSTOM_FIELDS_KEY: Final = "custom_fields"

_FIELDS: Final = {field.value: field for field in Field}

_INPUT_MESSAGES: Final[Mapping[str, Mapping[Locale, str]]] = {
    UNKNOWN_FIELD: {
        "pt-BR": "o campo «{key}» não existe. Os campos são: {fields}.",
        "en": "there is no field «{key}». The fields are: {fields}.",
    },
    VALUE_NOT_TEXT: {
        "pt-BR": "o campo «{key}» deve ser um texto (entre aspas), mesmo para números.",
        "en": "the field «{key}» must be a string (in quotes), numbers included.",
    },
    UNKNOWN_CUSTOM_FIELD: {
        "pt-BR": "a conta não tem o campo personalizado «{key}». Os campos são: {fields}.",
        "en": "the account has no custom field «{key}». The custom fields are: {fields}.",
    },
    CUSTOM_FIELDS_NOT_OBJECT: {
        "pt-BR": (
            "«{key}» deve ser um objeto com a chave de cada campo personalizado e seu valor, "
            'por exemplo {{"aniversario": "31/01/1990"}}.'
        ),
        "en": (
            "«{key}» must be an object with each custom field's key and its value, for "
            'example {{"birthday": "1990-01-31"}}.'
        ),
    },
    CUSTOM_VALUE_NOT_SCALAR: {
        "pt-BR": "o campo personalizado «{key}» deve ser um texto, um número ou true/false.",
        "en": "the custom field «{key}» must be a string, a number or true/false.",
    },
}


@dataclass(frozen=True)
class InputProblem:
    """A key of the request that is not a customer field, or a value that is not text."""

    key: str
    code: str
    # The names the key could have been (the fields, or the account's custom fields).
    known: tuple[str, ...] = tuple(_FIELDS)

    def message(self, locale: Locale) -> str:
        """What is wrong and how to fix it, in the locale."""
        template = _INPUT_MESSAGES[self.code][locale]
        text = template.format(key=self.key, fields=", ".join(self.known) or "—")
        return text[:1].upper() + text[1:]


class InvalidCustomerError(Exception):
    """The customer breaks the rules: every problem found, as the import reports them."""

    def __init__(self, inputs: tuple[InputProblem, ...], errors: tuple[RowError, ...]) -> None:
        super().__init__(", ".join([p.code for p in inputs] + [e.code for e in errors]))
        self.inputs = inputs
        self.errors = errors


class CustomerAlreadyRegisteredError(Exception):
    """Another customer of the account holds this e-mail and/or external code."""

    def __init__(self, errors: tuple[RowError, ...]) -> None:
        super().__init__(", ".join(error.code for error in errors))
        self.errors = errors


def read_customer(
    body: Mapping[str, object],
    *,
    required: frozenset[Field] = DEFAULT_REQUIRED,
    custom_fields: Sequence[CustomFieldDefinition] = (),
) -> CustomerRecord:
    """Validate a request's fields with the import's rules; raise with every problem found.

    The account's custom fields come under "custom_fields", by key.
    """
    inputs: list[InputProblem] = []
    values: dict[Field, str] = {}
    custom: dict[str, CustomValue] = {}
    for key, value in body.items():
        field = _FIELDS.get(key)
        if key == CUSTOM_FIELDS_KEY:
            custom, problems = _custom_input(value, custom_fields)
            inputs += problems
        elif field is None:
            inputs.append(InputProblem(key=key, code=UNKNOWN_FIELD))
        elif isinstance(value, str):
            values[field] = value
        elif value is not None:  # null is a blank field, as an empty cell is
            inputs.append(InputProblem(key=key, code=VALUE_NOT_TEXT))
    validation = with_custom_values(validate_row(values, required=required), custom, custom_fields)
    labels = {definition.key: definition.label for definition in custom_fields}
    # A value that is not text was not validated: "required" would only repeat the problem.
    unread = {problem.key for problem in inputs if problem.code in _UNREAD_CODES}
    errors = tuple(
        # A custom field is named by its label, as a form shows it.
        error.model_copy(update={"column": labels[error.custom_field]})
        if error.custom_field in labels
        else error
        for error in validation.errors
        if not (_input_key(error) in unread and error.code in _REQUIRED_CODES)
    )
    if inputs or errors or validation.record is None:
        raise InvalidCustomerError(tuple(inputs), errors)
    return validation.record


_REQUIRED_CODES: Final = frozenset({ErrorCode.VALUE_REQUIRED, ErrorCode.FULL_NAME_REQUIRED})
_UNREAD_CODES: Final = frozenset({VALUE_NOT_TEXT, CUSTOM_VALUE_NOT_SCALAR})


def _input_key(error: RowError) -> str | None:
    """The request key an error is about."""
    if error.custom_field is not None:
        return f"{CUSTOM_FIELDS_KEY}.{error.custom_field}"
    return None if error.field is None else error.field.value


def _custom_input(
    value: object, definitions: Sequence[CustomFieldDefinition]
) -> tuple[dict[str, CustomValue], list[InputProblem]]:
    """The custom values of a request, and the keys or values that cannot be read."""
    if value is None:
        return {}, []
    if not isinstance(value, Mapping):
        return {}, [InputProblem(key=CUSTOM_FIELDS_KEY, code=CUSTOM_FIELDS_NOT_OBJECT)]
    keys = tuple(definition.key for definition in definitions)
    values: dict[str, CustomValue] = {}
    problems: list[InputProblem] = []
    for key, given in value.items():
        name = f"{CUSTOM_FIELDS_KEY}.{key}"
        if key not in keys:
            problems.append(InputProblem(key=name, code=UNKNOWN_CUSTOM_FIELD, known=keys))
        elif isinstance(given, str | bool | int | float):
            values[key] = given
        elif given is not None:
            problems.append(InputProblem(key=name, code=CUSTOM_VALUE_NOT_SCALAR))
    return values, problems


async def create_customer(
    pool: asyncpg.Pool, *, account_id: UUID, customer: CustomerRecord
) -> asyncpg.Record:
    """Store a valid customer; raise if its e-mail or external code is already the account's."""
    async with pool.acquire() as connection:
        record = await repository.insert_customer(
            connection, customer_id=uuid4(), account_id=account_id, customer=customer
        )
        if record is not None:
            return record
        email_taken, code_taken = await repository.taken_keys(
            connection,
            account_id=account_id,
            email=customer.email,
            external_code=customer.external_code,
        )
    errors: list[RowError] = []
    if email_taken:
        errors.append(RowError(field=Field.EMAIL, code=ErrorCode.EMAIL_ALREADY_REGISTERED))
    if code_taken:
        errors.append(
            RowError(field=Field.EXTERNAL_CODE, code=ErrorCode.EXTERNAL_CODE_ALREADY_REGISTERED)
        )
    if not errors:
        # Only a unique key stops the insert and customers are never deleted: a conflict
        # whose holder is gone is a bug worth hearing about, not a user error.
        raise RuntimeError("customer insert conflicted but no customer holds its keys")
    raise CustomerAlreadyRegisteredError(tuple(errors))


# --- the search --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchTerms:
    """What one search text is looked for in: each None term is not searched."""

    name: str | None
    email_prefix: str | None
    document_prefix: str | None
    external_code: str | None


_NO_TERMS: Final = SearchTerms(None, None, None, None)
# The separators a CPF/CNPJ is written with: "123.456.789-09", "12.345.678/0001-95".
_DOCUMENT_SEPARATORS: Final = str.maketrans(dict.fromkeys(" .-/"))


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_terms(query: str | None) -> SearchTerms:
    """Split a search text into a name fragment, an e-mail and document prefix, and a code."""
    text = clean_cell(query or "")
    if not text:
        return _NO_TERMS
    escaped = _like_escaped(text)
    # Stored e-mails are lower-case and hold no blanks; documents are stored as characters.
    email = None if any(char.isspace() for char in text) else escaped.lower()
    compact = text.translate(_DOCUMENT_SEPARATORS).upper()
    is_document = (
        compact.isascii() and compact.isalnum() and any(char.isdigit() for char in compact)
    )
    return SearchTerms(
        name=escaped,
        email_prefix=email,
        document_prefix=compact if is_document else None,
        external_code=text,
    )


async def search_customers(
    pool: asyncpg.Pool,
    *,
    account_id: UUID,
    query: str | None,
    status: CustomerStatus | None,
    before: tuple[datetime, UUID] | None,
    limit: int,
    today: date,
) -> list[asyncpg.Record]:
    """The account's customers matching the search text and status, newest first."""
    terms = search_terms(query)
    async with pool.acquire() as connection:
        return await repository.search_customers(
            connection,
            account_id=account_id,
            today=today,
            name=terms.name,
            email_prefix=terms.email_prefix,
            document_prefix=terms.document_prefix,
            external_code=terms.external_code,
            status=status.value if status else None,
            before=before,
            limit=limit,
        )


async def get_customer(
    pool: asyncpg.Pool, *, customer_id: UUID, account_id: UUID, today: date
) -> tuple[asyncpg.Record, list[asyncpg.Record]] | None:
    """One customer of the account and its subscriptions; None if the account has no such."""
    async with pool.acquire() as connection:
        record = await repository.get_customer(
            connection, customer_id=customer_id, account_id=account_id, today=today
        )
        if record is None:
            return None
        subscriptions = await repository.get_subscriptions(
            connection, customer_id=customer_id, account_id=account_id
        )
    return record, subscriptions
