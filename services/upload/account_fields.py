"""What an account asks of its customers: required fields and custom registration fields."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final
from uuid import UUID

import asyncpg

from services.upload import account_fields_repository as repository
from shared.rules.cleaning import fold_key
from shared.rules.custom_fields import MAX_TEXT, CustomFieldDefinition, CustomFieldType
from shared.rules.fields import TEMPLATE_FIELDS, Field
from shared.rules.validate import DEFAULT_REQUIRED

# Any field of the template may be required; the single phone column is only a way to fill
# the phone fields.
REQUIRABLE: Final = frozenset(TEMPLATE_FIELDS)


@dataclass(frozen=True)
class AccountFields:
    """The account's required template fields (full name always) and its custom fields."""

    required: frozenset[Field]
    custom_fields: tuple[CustomFieldDefinition, ...]

    @property
    def custom_by_key(self) -> dict[str, CustomFieldDefinition]:
        """The custom fields by key."""
        return {definition.key: definition for definition in self.custom_fields}


def in_template_order(fields: Iterable[Field]) -> list[Field]:
    """The fields in the template's order."""
    chosen = set(fields)
    return [field for field in Field if field in chosen]


async def required_fields(connection: asyncpg.Connection, *, account_id: UUID) -> frozenset[Field]:
    """The template fields every customer of the account must have (the full name always)."""
    stored = await repository.required_fields(connection, account_id=account_id)
    if stored is None:
        return DEFAULT_REQUIRED
    return frozenset(Field(value) for value in stored) | DEFAULT_REQUIRED


async def set_required_fields(
    connection: asyncpg.Connection, *, account_id: UUID, fields: Iterable[Field]
) -> frozenset[Field]:
    """Replace the account's required fields; the full name stays required whatever is sent."""
    chosen = frozenset(fields) | DEFAULT_REQUIRED
    await repository.set_required_fields(
        connection,
        account_id=account_id,
        fields=[field.value for field in in_template_order(chosen)],
    )
    return chosen


async def account_fields(connection: asyncpg.Connection, *, account_id: UUID) -> AccountFields:
    """Everything an import or a new customer of the account is judged by, beyond the template."""
    return AccountFields(
        required=await required_fields(connection, account_id=account_id),
        custom_fields=tuple(await repository.custom_fields(connection, account_id=account_id)),
    )


def definition_problems(definition: CustomFieldDefinition) -> list[str]:
    """What makes a definition unusable, as stable codes (empty when it is fine)."""
    problems: list[str] = []
    if definition.key in {field.value for field in Field}:
        problems.append("custom_field.key_reserved")
    if not fold_key(definition.label):
        problems.append("custom_field.label_blank")
    if definition.type is CustomFieldType.ONE_OF:
        folded = [fold_key(option) for option in definition.options]
        if not definition.options or not all(folded):
            problems.append("custom_field.options_missing")
        elif len(set(folded)) != len(folded):
            problems.append("custom_field.options_repeated")
        elif any(len(option) > MAX_TEXT for option in definition.options):
            problems.append("custom_field.option_too_long")
    elif definition.options:
        problems.append("custom_field.options_not_allowed")
    return problems
