"""Custom registration fields an account adds to its customers, and the rules of their values.

Lenient on how a value is written ("sim", "X", "1.234,56", 05/01/2026, any case or accent of a
list option), strict on what it means: an ambiguous number, an impossible date or a date typed
as a number is explained, never guessed.
"""

import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, StringConstraints

from shared.customer import CustomValue
from shared.rules.cleaning import clean_cell, fold_key
from shared.rules.errors import ErrorCode, RowError
from shared.rules.validate import RowValidation

# A key is what an API client and a saved mapping name the field by.
CustomFieldKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]

# The product's limit for text is "less than 255 characters", as for the template's fields.
MAX_TEXT: Final = 254
# A float keeps 15 significant digits exactly; more is a code, not a quantity.
MAX_NUMBER_DIGITS: Final = 15


class CustomFieldType(StrEnum):
    """The kinds of value a custom field holds."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"
    ONE_OF = "one_of"


class CustomFieldDefinition(BaseModel):
    """A field an account added to its customers' registration."""

    model_config = ConfigDict(frozen=True)

    key: CustomFieldKey
    label: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    type: CustomFieldType
    required: bool = False
    # The allowed values of a one_of field, as they are stored.
    options: tuple[str, ...] = ()


class InvalidCustomValueError(ValueError):
    """A custom value breaks its field's rule: a stable code and the message's parameters."""

    def __init__(self, code: ErrorCode, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# --- number ------------------------------------------------------------------------------------

_NUMBER_TEXT: Final = re.compile(r"[0-9.,]*[0-9][0-9.,]*")
_MINUS_SIGNS: Final = "-\u2212\u2013"
_GROUPED: Final = re.compile(r"[1-9][0-9]{0,2}(?:[0-9]{3})*")


def _grouped(integer: str, separator: str) -> bool:
    """Whether an integer part written with thousands separators groups its digits by three."""
    groups = integer.split(separator)
    return (
        1 <= len(groups[0]) <= 3
        and groups[0][0] != "0"
        and all(len(group) == 3 and group.isdigit() for group in groups[1:])
    )


def _number_parts(text: str) -> tuple[str, str]:
    """Split a written number into its integer and fractional digits."""
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        integer, _, fraction = text.rpartition(decimal)
        if decimal in integer or thousands in fraction or not _grouped(integer, thousands):
            raise ValueError(text)
        return integer.replace(thousands, ""), fraction
    separator = "." if dots else ","
    count = dots or commas
    if count == 0:
        return text, ""
    if count > 1:
        if not _grouped(text, separator):
            raise ValueError(text)
        return text.replace(separator, ""), ""
    integer, _, fraction = text.partition(separator)
    if len(fraction) == 3 and _GROUPED.fullmatch(integer) and len(integer) <= 3:
        # "1.234" is 1234 in Brazil and 1.234 in English; "1,234" the other way round.
        raise InvalidCustomValueError(
            ErrorCode.CUSTOM_NUMBER_AMBIGUOUS,
            value=text,
            thousands=integer + fraction,
            decimal_pt=f"{integer},{fraction}",
            decimal_en=f"{integer}.{fraction}",
            decimal_pt_fixed=f"{integer},{fraction}0",
            decimal_en_fixed=f"{integer}.{fraction}0",
        )
    return integer, fraction


def _number(value: str) -> int | float:
    text = "".join(value.removeprefix("R$").split())
    negative = text[:1] in _MINUS_SIGNS
    if text[:1] in _MINUS_SIGNS or text[:1] == "+":
        text = text[1:]
    if not _NUMBER_TEXT.fullmatch(text):
        raise InvalidCustomValueError(ErrorCode.CUSTOM_NUMBER_INVALID, value=value)
    try:
        integer, fraction = _number_parts(text)
    except InvalidCustomValueError as invalid:
        invalid.params["value"] = value
        raise
    except ValueError:
        raise InvalidCustomValueError(ErrorCode.CUSTOM_NUMBER_INVALID, value=value) from None
    number = Decimal(f"{'-' if negative else ''}{integer or '0'}.{fraction or '0'}")
    return _exact(number, value)


def _exact(number: Decimal, shown: str) -> int | float:
    if not number.is_finite():
        raise InvalidCustomValueError(ErrorCode.CUSTOM_NUMBER_INVALID, value=shown)
    if len(number.normalize().as_tuple().digits) > MAX_NUMBER_DIGITS:
        raise InvalidCustomValueError(
            ErrorCode.CUSTOM_NUMBER_TOO_LONG, value=shown, max=str(MAX_NUMBER_DIGITS)
        )
    if number == number.to_integral_value():
        return int(number)
    return float(number)


# --- date --------------------------------------------------------------------------------------

# Day first, as Brazil writes it; an optional time (spreadsheets export "05/01/2026 00:00").
_DAY_FIRST: Final = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d+)(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_YEAR_FIRST: Final = re.compile(
    r"(\d{4})([/.-])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)?"
)
# Spreadsheets count days from 30/12/1899; a date formatted as a number shows that count.
_SPREADSHEET_EPOCH: Final = date(1899, 12, 30)
_SERIAL: Final = re.compile(r"[1-9]\d{4}(?:[.,]\d+)?")


def _date(value: str) -> str:
    if found := _YEAR_FIRST.fullmatch(value):
        year, month, day = found.group(1), found.group(3), found.group(4)
    elif found := _DAY_FIRST.fullmatch(value):
        day, month, year = found.group(1), found.group(3), found.group(4)
        if len(year) == 2:
            raise InvalidCustomValueError(ErrorCode.CUSTOM_DATE_TWO_DIGIT_YEAR, value=value)
        if len(year) != 4:
            raise InvalidCustomValueError(ErrorCode.CUSTOM_DATE_INVALID, value=value)
    elif _SERIAL.fullmatch(value):
        days = int(value.replace(",", ".").partition(".")[0])
        shown = (_SPREADSHEET_EPOCH + timedelta(days=days)).strftime("%d/%m/%Y")
        raise InvalidCustomValueError(ErrorCode.CUSTOM_DATE_SERIAL_NUMBER, value=value, date=shown)
    else:
        raise InvalidCustomValueError(ErrorCode.CUSTOM_DATE_INVALID, value=value)
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        raise InvalidCustomValueError(ErrorCode.CUSTOM_DATE_NOT_A_DAY, value=value) from None


# --- yes / no ----------------------------------------------------------------------------------

_YES: Final = ("sim", "s", "yes", "y", "true", "verdadeiro", "v", "x", "1", "ok")
_NO: Final = ("não", "nao", "n", "no", "false", "falso", "f", "0")
_BOOLEANS: Final = {fold_key(word): True for word in _YES} | {fold_key(word): False for word in _NO}


def _boolean(value: str) -> bool:
    answer = _BOOLEANS.get(fold_key(value))
    if answer is None:
        raise InvalidCustomValueError(ErrorCode.CUSTOM_BOOLEAN_INVALID, value=value)
    return answer


# --- one value -----------------------------------------------------------------------------------


def _text(value: str) -> str:
    if len(value) > MAX_TEXT:
        raise InvalidCustomValueError(
            ErrorCode.VALUE_TOO_LONG, length=str(len(value)), max=str(MAX_TEXT)
        )
    return value


def _option(value: str, options: Sequence[str]) -> str:
    folded = fold_key(value)
    for option in options:
        if fold_key(option) == folded:
            return option
    raise InvalidCustomValueError(
        ErrorCode.CUSTOM_OPTION_INVALID, value=value, options=", ".join(options)
    )


# How Excel writes a long number formatted as a number: 1,19876E+10 (digits were lost).
_SCIENTIFIC: Final = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE]\+\d+")


def custom_value(definition: CustomFieldDefinition, raw: CustomValue) -> CustomValue | None:
    """The stored value of one custom field, None when blank; InvalidCustomValueError if invalid.

    `raw` is a cell's text, or a JSON value sent to the API (a number or a yes/no).
    """
    kind = definition.type
    if isinstance(raw, bool):
        if kind is CustomFieldType.BOOLEAN:
            return raw
        raw = "sim" if raw else "não"
    elif isinstance(raw, int | float):
        if kind is CustomFieldType.NUMBER:
            return _exact(Decimal(str(raw)), str(raw))
        raw = str(raw)
    value = clean_cell(raw)
    if not value:
        return None
    if "\ufffd" in value:
        raise InvalidCustomValueError(ErrorCode.VALUE_INVALID_CHARACTERS, value=value)
    if ("E+" in value or "e+" in value) and _SCIENTIFIC.fullmatch(value):
        raise InvalidCustomValueError(ErrorCode.VALUE_SCIENTIFIC_NOTATION, value=value)
    if kind is CustomFieldType.NUMBER:
        return _number(value)
    if kind is CustomFieldType.DATE:
        return _date(value)
    if kind is CustomFieldType.BOOLEAN:
        return _boolean(value)
    if kind is CustomFieldType.ONE_OF:
        return _option(value, definition.options)
    return _text(value)


def validate_custom_values(
    raw: Mapping[str, CustomValue], definitions: Sequence[CustomFieldDefinition]
) -> tuple[dict[str, CustomValue], tuple[RowError, ...]]:
    """Judge the custom values of one customer: the stored values, or every error found.

    Keys of `raw` that no definition names are the caller's business; every required
    definition must have a value.
    """
    values: dict[str, CustomValue] = {}
    errors: list[RowError] = []
    for definition in definitions:
        key = definition.key
        given = raw.get(key)
        try:
            value = None if given is None else custom_value(definition, given)
        except InvalidCustomValueError as invalid:
            errors.append(
                RowError(field=None, custom_field=key, code=invalid.code, params=invalid.params)
            )
            continue
        if value is not None:
            values[key] = value
        elif definition.required:
            errors.append(RowError(field=None, custom_field=key, code=ErrorCode.VALUE_REQUIRED))
    return values, tuple(errors)


def with_custom_values(
    validation: RowValidation,
    raw: Mapping[str, CustomValue],
    definitions: Sequence[CustomFieldDefinition],
) -> RowValidation:
    """A row's validation completed by its custom values: their errors join the row's."""
    values, errors = validate_custom_values(raw, definitions)
    if errors or validation.record is None:
        return RowValidation(record=None, errors=validation.errors + errors)
    return RowValidation(
        record=validation.record.model_copy(update={"custom_fields": values}), errors=()
    )
