"""A customer as the rules normalise it: what the writer stores and the events carry."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# How a custom registration field's value is kept: text (a date as ISO text), number, yes/no.
CustomValue = str | bool | int | float


class CustomerRecord(BaseModel):
    """Normalised customer values of one valid row; absent values are None."""

    model_config = ConfigDict(frozen=True)

    full_name: str
    email: str | None = None
    document: str | None = None
    document_kind: Literal["cpf", "cnpj"] | None = None
    phone_type: Literal["celular", "fixo"] | None = None
    phone_ddi: str | None = None
    phone_ddd: str | None = None
    phone_number: str | None = None
    phone_extension: str | None = None
    postal_code: str | None = None
    street: str | None = None
    street_number: str | None = None
    complement: str | None = None
    district: str | None = None
    city: str | None = None
    state: str | None = None
    notes: str | None = None
    external_code: str | None = None
    # The account's custom registration fields, by key (shared.rules.custom_fields). A factory,
    # not a `{}` default: pydantic deep-copies a mutable default for every record it builds.
    custom_fields: dict[str, CustomValue] = Field(
        default_factory=dict, json_schema_extra={"default": {}}
    )


# A valid row's customer as every CustomerRecord field in the record's order, without building
# the record: how the validator carries a thousand rows on to columns.
CustomerFields = dict[str, Any]
