"""Validate one spreadsheet row and normalise it into a customer record.

Lenient on how a value is written (punctuation, case, accents, lost leading zeros),
strict on what it means (check digits, existing DDDs and UFs). Every problem of the
row is reported, not only the first. The libraries (python-stdnum, email-validator,
phonenumbers) decide validity; cheap exact checks and caches only spare them work.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from operator import mul
from typing import Final, Literal, TypeVar

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import DOT_ATOM_TEXT, EMAIL_MAX_LENGTH
from stdnum.br import cnpj, cpf

from shared.customer import CustomerFields, CustomerRecord
from shared.rules.cleaning import clean_cell, fold_key
from shared.rules.errors import ErrorCode, RowError
from shared.rules.fields import Field

DEFAULT_REQUIRED: Final = frozenset({Field.FULL_NAME})

# The product's limit is "less than 255 characters".
_MAX_TEXT: Final = 254

_T = TypeVar("_T")

_DocumentKind = Literal["cpf", "cnpj"]
_PhoneType = Literal["celular", "fixo"]


@dataclass(frozen=True)
class RowValidation:
    """The outcome of one row: a record when valid, otherwise every error found."""

    record: CustomerRecord | None
    errors: tuple[RowError, ...]

    def __post_init__(self) -> None:
        if (self.record is None) == (not self.errors):
            raise ValueError("a row has either a record or errors, never both nor neither")


class _Invalid(Exception):
    """A value breaks a rule; the caller attaches the field."""

    def __init__(self, code: ErrorCode, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _is_digits(value: str) -> bool:
    # str.isdigit alone accepts "²" and other non-ASCII digits.
    return value.isascii() and value.isdigit()


def _dashes(*extra: str) -> dict[str, None]:
    # Spreadsheets and word processors turn "-" into typographic dashes.
    return dict.fromkeys(("-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", *extra))


def _without_separators(value: str, separators: dict[int, None]) -> str:
    """The value without the separators (a str.maketrans table) of how numbers are written."""
    # Most cells are plain digits, which hold no separator: translate costs ~0.5 µs a call.
    return value if value.isdigit() else value.translate(separators)


# --- whole-cell problems, checked on every field -------------------------------------------

# How Excel, LibreOffice and pandas write a long number formatted as a number: 1,19876E+10.
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE]\+\d+")


def _unreadable(field: Field, value: str) -> RowError | None:
    if "\ufffd" in value:
        return RowError(
            field=field, code=ErrorCode.VALUE_INVALID_CHARACTERS, params={"value": value}
        )
    # Notes are free text where "1E+10" may be exactly what the user meant.
    if (
        field is not Field.NOTES
        and ("E+" in value or "e+" in value)
        and _SCIENTIFIC.fullmatch(value)
    ):
        return RowError(
            field=field, code=ErrorCode.VALUE_SCIENTIFIC_NOTATION, params={"value": value}
        )
    return None


# --- text, e-mail, postal code and state ------------------------------------------------------


def _text(value: str) -> str:
    if len(value) > _MAX_TEXT:
        raise _Invalid(ErrorCode.VALUE_TOO_LONG, length=str(len(value)), max=str(_MAX_TEXT))
    return value


def _free_text(value: str) -> str:
    return value


@lru_cache(maxsize=8192)
def _email_domain(domain: str) -> str | None:
    # Addresses are unique but their domains repeat; the domain is most of the library's work.
    try:
        return validate_email("x@" + domain, check_deliverability=False).domain
    except EmailNotValidError:
        return None


def _email(value: str) -> str:
    local, _, domain = value.rpartition("@")
    # A plain ASCII dot-atom local part is accepted as is by the library, so only the
    # domain needs it; any other shape takes the library's full path.
    if value.isascii() and len(value) <= EMAIL_MAX_LENGTH and DOT_ATOM_TEXT.match(local):
        lowered_domain = domain.lower()
        if _email_domain(lowered_domain) == lowered_domain:
            return (local + "@" + lowered_domain).lower()
    try:
        normalized = validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise _Invalid(ErrorCode.EMAIL_INVALID, value=value, reason=str(exc).rstrip(".")) from exc
    # One account cannot hold two customers whose e-mails differ only in case.
    return normalized.lower()


_CEP_SEPARATORS: Final = str.maketrans(_dashes(" ", "."))
# CEPs run from 01000-000 up; one leading zero is lost when the cell is a number.
_LOWEST_CEP: Final = "01000000"


def _postal_code(value: str) -> str:
    digits = _without_separators(value, _CEP_SEPARATORS)
    if len(digits) == 7:
        digits = "0" + digits
    if len(digits) != 8 or not _is_digits(digits) or digits < _LOWEST_CEP:
        raise _Invalid(ErrorCode.POSTAL_CODE_INVALID, value=value)
    return digits


_STATE_NAMES: Final = {
    "AC": "Acre",
    "AL": "Alagoas",
    "AP": "Amapá",
    "AM": "Amazonas",
    "BA": "Bahia",
    "CE": "Ceará",
    "DF": "Distrito Federal",
    "ES": "Espírito Santo",
    "GO": "Goiás",
    "MA": "Maranhão",
    "MT": "Mato Grosso",
    "MS": "Mato Grosso do Sul",
    "MG": "Minas Gerais",
    "PA": "Pará",
    "PB": "Paraíba",
    "PR": "Paraná",
    "PE": "Pernambuco",
    "PI": "Piauí",
    "RJ": "Rio de Janeiro",
    "RN": "Rio Grande do Norte",
    "RS": "Rio Grande do Sul",
    "RO": "Rondônia",
    "RR": "Roraima",
    "SC": "Santa Catarina",
    "SP": "São Paulo",
    "SE": "Sergipe",
    "TO": "Tocantins",
}
_STATES: Final = {fold_key(uf): uf for uf in _STATE_NAMES} | {
    fold_key(name): uf for uf, name in _STATE_NAMES.items()
}


def _state(value: str) -> str:
    upper = value.upper()
    if upper in _STATE_NAMES:
        return upper
    uf = _STATES.get(fold_key(value))
    if uf is None:
        raise _Invalid(ErrorCode.STATE_INVALID, value=value)
    return uf


_FIELD_RULES: Final[Mapping[Field, Callable[[str], str]]] = {
    Field.FULL_NAME: _text,
    Field.EMAIL: _email,
    Field.POSTAL_CODE: _postal_code,
    Field.STREET: _text,
    Field.STREET_NUMBER: _text,
    Field.COMPLEMENT: _text,
    Field.DISTRICT: _text,
    Field.CITY: _text,
    Field.STATE: _state,
    Field.NOTES: _free_text,
    Field.EXTERNAL_CODE: _text,
}


# --- CPF / CNPJ --------------------------------------------------------------------------------

_DOCUMENT_SEPARATORS: Final = str.maketrans(_dashes(" ", ".", "/"))


def _never_issued(number: str) -> bool:
    # Same-digit numbers pass the check-digit test but the Receita Federal never issues them.
    return number == number[0] * len(number)


_CPF_WEIGHTS: Final = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ_WEIGHTS: Final = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
# The digits are summed as their ASCII codes (no list of ints per number); these take the
# codes' "0"s (48 each) back out of the weighted sums.
_CPF_ZEROS: Final = 48 * sum(_CPF_WEIGHTS)
_CNPJ_ZEROS: Final = 48 * sum(_CNPJ_WEIGHTS)
_CNPJ_SECOND_ZEROS: Final = 48 * (6 + sum(_CNPJ_WEIGHTS))


def _cpf_check_digits_match(number: str) -> bool:
    """stdnum's CPF check digits for 11 ASCII digits, without its generic clean-up."""
    codes = number.encode()
    first: int = sum(map(mul, _CPF_WEIGHTS, codes)) - _CPF_ZEROS
    d1 = (11 - first) % 11 % 10
    # The second weights are the first plus one, then 2 for the first check digit.
    second = first + sum(codes[:9]) - 9 * 48 + 2 * d1
    return d1 == codes[9] - 48 and (11 - second) % 11 % 10 == codes[10] - 48


def _cnpj_check_digits_match(number: str) -> bool:
    """stdnum's CNPJ check digits for 14 ASCII digits, without its generic clean-up."""
    codes = number.encode()
    first: int = sum(map(mul, _CNPJ_WEIGHTS, codes)) - _CNPJ_ZEROS
    d1 = (11 - first) % 11 % 10
    # The second weights are the first shifted by one: 6 then 5, 4, 3, 2, 9, ..., 2.
    second: int = 6 * codes[0] + sum(map(mul, _CNPJ_WEIGHTS, codes[1:13])) - _CNPJ_SECOND_ZEROS
    return d1 == codes[12] - 48 and (11 - second) % 11 % 10 == codes[13] - 48


def _is_cpf(number: str) -> bool:
    if _never_issued(number):
        return False
    if len(number) == 11 and _is_digits(number):
        # Exactly stdnum's rule for plain digits (tests compare the two on many inputs).
        return _cpf_check_digits_match(number)
    return bool(cpf.is_valid(number))


def _is_cnpj(number: str) -> bool:
    if _never_issued(number):
        return False
    if len(number) == 14 and _is_digits(number):
        # Exactly stdnum's rule for plain digits, its all-zero base and branch included.
        return not number.startswith("0" * 12) and _cnpj_check_digits_match(number)
    # stdnum also rejects an all-zero base and branch (000000000000xx).
    return bool(cnpj.is_valid(number))


def _document_error(number: str, value: str) -> _Invalid:
    if _never_issued(number) or number.startswith("0" * 12):
        return _Invalid(ErrorCode.DOCUMENT_NEVER_ISSUED, value=value)
    return _Invalid(ErrorCode.DOCUMENT_CHECK_DIGITS, value=value)


def _document(value: str) -> tuple[str, _DocumentKind]:
    number = _without_separators(value, _DOCUMENT_SEPARATORS).upper()
    length = len(number)
    # Letters only exist in the alphanumeric CNPJ, which stdnum 2.2 validates.
    if not (number.isascii() and number.isalnum()) or (length != 14 and not number.isdigit()):
        raise _Invalid(ErrorCode.DOCUMENT_INVALID_FORMAT, value=value)
    if length == 14:
        if not _is_cnpj(number):
            raise _document_error(number, value)
        return number, "cnpj"
    if length == 11:
        # Eleven digits are a CPF: a mistyped CPF must not turn into some company's CNPJ.
        if not _is_cpf(number):
            raise _document_error(number, value)
        return number, "cpf"
    # Fewer digits: a cell formatted as a number dropped leading zeros; restore them only
    # when the restored number is valid, and never guess between a CPF and a CNPJ.
    readings: list[tuple[str, _DocumentKind]] = []
    if length < 11 and _is_cpf(number.zfill(11)):
        readings.append((number.zfill(11), "cpf"))
    if length < 14 and _is_cnpj(number.zfill(14)):
        readings.append((number.zfill(14), "cnpj"))
    if len(readings) == 1:
        return readings[0]
    if readings:
        raise _Invalid(
            ErrorCode.DOCUMENT_AMBIGUOUS, value=value, cpf=readings[0][0], cnpj=readings[1][0]
        )
    raise _Invalid(ErrorCode.DOCUMENT_LENGTH, value=value, length=str(length))


# --- phone ---------------------------------------------------------------------------------------

_PHONE_SEPARATORS: Final = str.maketrans(_dashes(" ", ".", "(", ")"))
_MOBILE_WORDS: Final = ("celular", "cel", "móvel", "mobile", "cell", "telefone celular")
_LANDLINE_WORDS: Final = (
    "fixo", "residencial", "comercial", "landline", "fixed", "tel", "telefone fixo",
)  # fmt: skip
_PHONE_TYPES: Final[Mapping[str, _PhoneType]] = {
    **{fold_key(word): "celular" for word in _MOBILE_WORDS},
    **{fold_key(word): "fixo" for word in _LANDLINE_WORDS},
}
# Every DDD Anatel has assigned; the numbering plan phonenumbers also encodes.
_BR_DDD: Final = frozenset(str(ddd) for ddd in (
    *range(11, 20), 21, 22, 24, 27, 28, *range(31, 36), 37, 38, *range(41, 50), 51,
    *range(53, 56), *range(61, 70), 71, *range(73, 76), 77, 79, *range(81, 90), *range(91, 100),
))  # fmt: skip
_BRAZIL: Final = "55"
_LANDLINE_FIRST_DIGITS: Final = frozenset("2345")
_PHONE_LIBRARY_TYPES: Final[Mapping[int, _PhoneType]] = {
    phonenumbers.PhoneNumberType.MOBILE: "celular",
    phonenumbers.PhoneNumberType.FIXED_LINE: "fixo",
}


@lru_cache(maxsize=512)
def _region(ddi: str) -> str | None:
    region = phonenumbers.region_code_for_country_code(int(ddi))
    return None if region == phonenumbers.UNKNOWN_REGION else region


@dataclass(frozen=True)
class _PhoneParts:
    ddi: str
    ddd: str
    number: str
    extension: str


# phonenumbers reads "ext." but would spell the Portuguese "ramal" out on a keypad.
_RAMAL = re.compile(r"\bramal\b", re.IGNORECASE)


def _split_whole(value: str, region: str) -> _PhoneParts:
    """Split a whole phone number ("(11) 98765-4321", "+55 11 3333-3333") into its parts."""
    digits = _without_separators(value, _PHONE_SEPARATORS)
    if region == "BR" and len(digits) in (10, 11) and digits[0] != "0" and _is_digits(digits):
        # DDD plus number is how most Brazilian numbers are written; phonenumbers reads it
        # the same way, so the parse is skipped.
        return _PhoneParts(_BRAZIL, digits[:2], digits[2:], "")
    try:
        parsed = phonenumbers.parse(_RAMAL.sub("ext.", value), region)
    except phonenumbers.NumberParseException as exc:
        raise _Invalid(ErrorCode.PHONE_INVALID, value=value) from exc
    national = phonenumbers.national_significant_number(parsed)
    ddi = str(parsed.country_code)
    extension = parsed.extension or ""
    if ddi == _BRAZIL:
        # Eight or nine digits are the number alone: the DDD is missing.
        split_at = 2 if len(national) > 9 else 0
    else:
        split_at = phonenumbers.length_of_national_destination_code(parsed)
    return _PhoneParts(ddi, national[:split_at], national[split_at:], extension)


def _phone_type(value: str) -> _PhoneType:
    kind = _PHONE_TYPES.get(value.lower()) or _PHONE_TYPES.get(fold_key(value))
    if kind is None:
        raise _Invalid(ErrorCode.PHONE_TYPE_INVALID, value=value)
    return kind


def _ddi(value: str) -> str:
    digits = _without_separators(value, _PHONE_SEPARATORS).removeprefix("+")
    if not (1 <= len(digits) <= 3 and _is_digits(digits)) or _region(digits) is None:
        raise _Invalid(ErrorCode.PHONE_DDI_INVALID, value=value)
    return str(int(digits))


def _ddd(value: str, ddi: str | None) -> str:
    digits = _without_separators(value, _PHONE_SEPARATORS)
    if not _is_digits(digits):
        raise _Invalid(ErrorCode.PHONE_DDD_INVALID, value=value)
    if ddi != _BRAZIL:
        return digits
    # "011": the trunk prefix 0 was dialled before the DDD.
    if len(digits) == 3 and digits[0] == "0":
        digits = digits[1:]
    if len(digits) != 2:
        raise _Invalid(ErrorCode.PHONE_DDD_INVALID, value=value)
    if digits not in _BR_DDD:
        raise _Invalid(ErrorCode.PHONE_DDD_UNKNOWN, value=digits)
    return digits


def _br_number(number: str, kind: _PhoneType | None, shown: str) -> _PhoneType:
    if len(number) not in (8, 9):
        raise _Invalid(ErrorCode.PHONE_NUMBER_INVALID, value=shown)
    if kind is None:
        kind = "celular" if len(number) == 9 else "fixo"
    if kind == "celular" and not (len(number) == 9 and number[0] == "9"):
        raise _Invalid(ErrorCode.PHONE_NUMBER_MOBILE_FORMAT, value=shown)
    if kind == "fixo" and not (len(number) == 8 and number[0] in _LANDLINE_FIRST_DIGITS):
        raise _Invalid(ErrorCode.PHONE_NUMBER_LANDLINE_FORMAT, value=shown)
    return kind


def _foreign_number(ddi: str, ddd: str, number: str, kind: _PhoneType | None) -> _PhoneType | None:
    shown = " ".join(part for part in ("+" + ddi, ddd, number) if part)
    try:
        parsed = phonenumbers.parse(shown)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise _Invalid(ErrorCode.PHONE_NUMBER_FOREIGN_INVALID, value=shown, ddi=ddi)
    return kind or _PHONE_LIBRARY_TYPES.get(phonenumbers.number_type(parsed))


def _extension(value: str) -> str:
    digits = _without_separators(value, _PHONE_SEPARATORS)
    if not (len(digits) <= 6 and _is_digits(digits)):
        raise _Invalid(ErrorCode.PHONE_EXTENSION_INVALID, value=value)
    return digits


class _PhoneGroup:
    """The phone cells of one row, judged together: each rule needs the others."""

    def __init__(self, cells: Mapping[Field, str], unreadable: frozenset[Field]) -> None:
        self.cells = cells
        # Fields whose cell was already reported; no further error is derived from them.
        self.broken = set(unreadable)
        self.errors: list[RowError] = []

    def _fail(self, field: Field, invalid: _Invalid) -> None:
        self.errors.append(RowError(field=field, code=invalid.code, params=invalid.params))
        self.broken.add(field)

    def _checked(self, field: Field, rule: Callable[[str], _T]) -> _T | None:
        value = self.cells.get(field)
        if not value:
            return None
        try:
            return rule(value)
        except _Invalid as invalid:
            self._fail(field, invalid)
            return None

    def _whole_source(self) -> Field | None:
        number = self.cells.get(Field.PHONE_NUMBER, "")
        if number and not self.cells.get(Field.PHONE_DDD) and Field.PHONE_DDD not in self.broken:
            digits = _without_separators(number, _PHONE_SEPARATORS)
            # More than nine digits in the number column: the DDD (and DDI) came along with it.
            return Field.PHONE_NUMBER if len(digits) > 9 or digits.startswith("+") else None
        # The split columns win over a single phone column.
        if not number and self.cells.get(Field.PHONE):
            return Field.PHONE
        return None

    def resolve(self) -> dict[Field, str | None]:
        """Return the normalised phone fields; errors are collected in `self.errors`."""
        kind = self._checked(Field.PHONE_TYPE, _phone_type)
        ddi = self._checked(Field.PHONE_DDI, _ddi)
        extension = self._checked(Field.PHONE_EXTENSION, _extension)
        whole_field = self._whole_source()
        if whole_field is not None:
            whole = self.cells[whole_field]
            try:
                # A DDI column tells how to read a number written without "+".
                parts = _split_whole(whole, _region(ddi or _BRAZIL) or "BR")
            except _Invalid as invalid:
                self._fail(whole_field, invalid)
                return {}
            return self._number(
                kind,
                parts.ddi,
                parts.ddd or None,
                parts.number,
                extension or parts.extension or None,
                ddd_field=whole_field,
                number_field=whole_field,
                shown=whole,
            )
        number_raw = self.cells.get(Field.PHONE_NUMBER, "")
        if not number_raw:
            filled = self.cells.get(Field.PHONE_DDD) or self.cells.get(Field.PHONE_EXTENSION)
            if filled and Field.PHONE_NUMBER not in self.broken:
                self._fail(Field.PHONE_NUMBER, _Invalid(ErrorCode.PHONE_NUMBER_REQUIRED))
            # Type and DDI alone describe no phone: template defaults left on a row without one.
            return {}
        if ddi is None and Field.PHONE_DDI not in self.broken:
            ddi = _BRAZIL
        ddd = self._checked(Field.PHONE_DDD, lambda value: _ddd(value, ddi))
        number = _without_separators(number_raw, _PHONE_SEPARATORS)
        if not _is_digits(number):
            self._fail(
                Field.PHONE_NUMBER, _Invalid(ErrorCode.PHONE_NUMBER_INVALID, value=number_raw)
            )
            return {}
        if ddi is None:
            # A number can only be judged against a known country.
            return {}
        return self._number(
            kind,
            ddi,
            ddd,
            number,
            extension,
            ddd_field=Field.PHONE_DDD,
            number_field=Field.PHONE_NUMBER,
            shown=number_raw,
        )

    def _number(
        self,
        kind: _PhoneType | None,
        ddi: str,
        ddd: str | None,
        number: str,
        extension: str | None,
        *,
        ddd_field: Field,
        number_field: Field,
        shown: str,
    ) -> dict[Field, str | None]:
        try:
            if ddi != _BRAZIL:
                # A foreign number is only valid as a whole, area code included.
                if ddd_field in self.broken:
                    return {}
                kind = _foreign_number(ddi, ddd or "", number, kind)
            else:
                if ddd is None and ddd_field not in self.broken:
                    self._fail(ddd_field, _Invalid(ErrorCode.PHONE_DDD_REQUIRED))
                elif ddd is not None and ddd not in _BR_DDD:
                    # Only a DDD split off a whole number arrives here unchecked.
                    self._fail(ddd_field, _Invalid(ErrorCode.PHONE_DDD_UNKNOWN, value=ddd))
                # A Brazilian number's own rules do not depend on its DDD: judge it anyway.
                kind = _br_number(number, kind, shown)
        except _Invalid as invalid:
            self._fail(number_field, invalid)
        if self.errors:
            return {}
        return {
            Field.PHONE_TYPE: kind,
            Field.PHONE_DDI: ddi,
            Field.PHONE_DDD: ddd,
            Field.PHONE_NUMBER: number,
            Field.PHONE_EXTENSION: extension,
        }


# --- the row ------------------------------------------------------------------------------------

_PHONE_FIELDS: Final = frozenset(
    {
        Field.PHONE_TYPE,
        Field.PHONE_DDI,
        Field.PHONE_DDD,
        Field.PHONE_NUMBER,
        Field.PHONE_EXTENSION,
        Field.PHONE,
    }
)
# Errors are listed in template order; the single phone column sits with the phone number.
_ORDER: Final = {field: index for index, field in enumerate(Field)} | {
    Field.PHONE: list(Field).index(Field.PHONE_NUMBER)
}


def _order(error: RowError) -> int:
    return -1 if error.field is None else _ORDER[error.field]


# Enum .value goes through a descriptor; a plain dict is several times faster per row.
_NAMES: Final = {field: field.value for field in Field}
# A customer's fields before the row's values: the record's defaults (its empty custom fields
# shared by every row given none; fields are never changed once returned).
_NO_FIELDS: Final[CustomerFields] = {
    name: field.get_default(call_default_factory=True)
    for name, field in CustomerRecord.model_fields.items()
}


@lru_cache(maxsize=64)
def _required_in_order(required: frozenset[Field]) -> tuple[Field, ...]:
    return tuple(sorted(required | {Field.FULL_NAME}, key=_ORDER.__getitem__))


def validate_row(
    values: Mapping[Field, str], *, required: frozenset[Field] = DEFAULT_REQUIRED
) -> RowValidation:
    """Validate one row of raw cells keyed by field and return its record or all its errors."""
    fields, errors = validate_row_fields(values, required=required)
    if fields is None:
        return RowValidation(record=None, errors=errors)
    return RowValidation(record=CustomerRecord.model_validate(fields), errors=())


def validate_row_fields(
    values: Mapping[Field, str], *, required: frozenset[Field] = DEFAULT_REQUIRED
) -> tuple[CustomerFields | None, tuple[RowError, ...]]:
    """validate_row without building the record: the valid row's fields, or all its errors.

    For the validator, which turns a thousand rows at a time into columns: building and
    validating a CustomerRecord per row (about 4 µs) only to take its values apart again was
    a tenth of its rules' time. Every value is one the rules produced; the writer validates
    the columns it receives.
    """
    errors: list[RowError] = []
    cells: dict[Field, str] = {}
    unreadable: set[Field] = set()
    for field, raw in values.items():
        # clean_cell's ASCII case inlined: most cells are short ASCII (no U+FFFD either); a
        # cell holding NUL, which clean_cell removes, takes the long way.
        if raw.isascii() and "\x00" not in raw:
            value = raw.strip()
            if not value:
                continue
            if "E+" not in value and "e+" not in value:
                cells[field] = value
                continue
        else:
            value = clean_cell(raw)
            if not value:
                continue
        error = _unreadable(field, value)
        if error is None:
            cells[field] = value
        else:
            errors.append(error)
            unreadable.add(field)

    normalised: dict[Field, str | None] = {}
    for field, value in cells.items():
        rule = _FIELD_RULES.get(field)
        if rule is None:
            continue
        try:
            normalised[field] = rule(value)
        except _Invalid as invalid:
            errors.append(RowError(field=field, code=invalid.code, params=invalid.params))

    document_kind: _DocumentKind | None = None
    if document := cells.get(Field.DOCUMENT):
        try:
            normalised[Field.DOCUMENT], document_kind = _document(document)
        except _Invalid as invalid:
            errors.append(RowError(field=Field.DOCUMENT, code=invalid.code, params=invalid.params))

    if not _PHONE_FIELDS.isdisjoint(cells):
        phone = _PhoneGroup(cells, frozenset(unreadable))
        normalised |= phone.resolve()
        errors += phone.errors

    failed = {error.field for error in errors}
    if not _PHONE_FIELDS.isdisjoint(failed):
        # A broken phone cell already explains why the other phone fields are empty.
        failed |= _PHONE_FIELDS
    # Without a name there is no customer, whatever the caller asks for.
    for field in _required_in_order(required):
        if normalised.get(field) is None and field not in failed and field not in cells:
            code = (
                ErrorCode.FULL_NAME_REQUIRED
                if field is Field.FULL_NAME
                else ErrorCode.VALUE_REQUIRED
            )
            errors.append(RowError(field=field, code=code))

    if errors:
        return None, tuple(sorted(errors, key=_order))
    fields = dict(_NO_FIELDS)
    for field, normal in normalised.items():
        fields[_NAMES[field]] = normal
    fields["document_kind"] = document_kind
    return fields, ()
