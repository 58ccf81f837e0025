"""Recognise which customer field each header cell of an uploaded spreadsheet names."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from shared.rules.cleaning import clean_cell, fold_key
from shared.rules.fields import TEMPLATE_HEADERS, Field

# Stands for a "telefone"/"phone" column until the whole header is seen: it holds the
# number alone when a DDD column exists, and the whole phone number otherwise.
_PHONE_COLUMN: Final = "phone-column"

_SYNONYMS: dict[Field | str, tuple[str, ...]] = {
    Field.FULL_NAME: (
        "nome",
        "nome completo",
        "nome do cliente",
        "razão social",
        "name",
        "full name",
        "customer name",
    ),
    Field.EMAIL: (
        "e-mail",
        "email",
        "mail",
        "correio eletrônico",
        "endereço de e-mail",
        "email address",
    ),
    Field.DOCUMENT: (
        "cpf",
        "cnpj",
        "cpf/cnpj",
        "cnpj/cpf",
        "cpf ou cnpj",
        "documento",
        "document",
        "tax id",
    ),
    Field.PHONE_TYPE: ("tipo de telefone", "tipo telefone", "phone type"),
    Field.PHONE_DDI: ("ddi", "código do país", "código país", "country code"),
    Field.PHONE_DDD: ("ddd", "código de área", "código área", "area code"),
    _PHONE_COLUMN: (
        "telefone",
        "fone",
        "celular",
        "phone",
        "phone number",
        "número do telefone",
        "número telefone",
    ),
    Field.PHONE_EXTENSION: ("ramal", "extension", "ext"),
    Field.POSTAL_CODE: ("cep", "código postal", "zip", "zip code", "postal code"),
    Field.STREET: ("endereço", "logradouro", "rua", "street", "address"),
    # "n°" folds to "n": the degree sign is a common stand-in for "º".
    Field.STREET_NUMBER: ("número", "nº", "n°", "no", "num", "number", "street number"),
    Field.COMPLEMENT: ("complemento", "complement"),
    Field.DISTRICT: ("bairro", "district", "neighborhood", "neighbourhood"),
    Field.CITY: ("cidade", "município", "city"),
    Field.STATE: ("estado", "uf", "state"),
    Field.NOTES: ("observações", "observação", "obs", "notes", "observation"),
    Field.EXTERNAL_CODE: (
        "código externo",
        "código",
        "external code",
        "external id",
        "id externo",
    ),
}

# Synonyms come last so that "Telefone" keeps its meaning that depends on a DDD column.
_KEYS: dict[str, Field | str] = {
    fold_key(header): field for field, header in TEMPLATE_HEADERS.items()
} | {fold_key(name): target for target, names in _SYNONYMS.items() for name in names}

# Users annotate headers: "Telefone (com DDD)", "CPF [somente números]".
_ANNOTATION = re.compile(r"\([^)]*\)|\[[^\]]*\]")


@dataclass(frozen=True)
class HeaderMapping:
    """Which field each recognised column holds, and the header cells left out."""

    columns: dict[int, Field]
    ignored: tuple[str, ...]
    duplicates: tuple[str, ...]


def header_key(cell: str) -> str:
    """How a header cell is compared: annotations, case, accents and punctuation left out."""
    return fold_key(_ANNOTATION.sub("", cell)) or fold_key(cell)


def _target(cell: str) -> Field | str | None:
    return _KEYS.get(header_key(cell))


def map_header(header: Sequence[str]) -> HeaderMapping:
    """Map each header cell to the field it names; unknown and repeated ones are left out."""
    cells = [clean_cell(cell) for cell in header]
    targets = [_target(cell) for cell in cells]
    phone_field = Field.PHONE_NUMBER if Field.PHONE_DDD in targets else Field.PHONE
    columns: dict[int, Field] = {}
    seen: set[Field] = set()
    ignored: list[str] = []
    duplicates: list[str] = []
    for index, (cell, target) in enumerate(zip(cells, targets, strict=True)):
        field = phone_field if target == _PHONE_COLUMN else target
        if not isinstance(field, Field):
            # A blank header cell comes from a trailing separator, not from a real column.
            if cell:
                ignored.append(cell)
        elif field in seen:
            duplicates.append(cell)
        else:
            seen.add(field)
            columns[index] = field
    return HeaderMapping(columns=columns, ignored=tuple(ignored), duplicates=tuple(duplicates))


# A single phone column holds the DDI, DDD and number that the split columns would hold.
_COVERED_BY_PHONE = frozenset({Field.PHONE_DDI, Field.PHONE_DDD, Field.PHONE_NUMBER})


def missing_required(mapping: HeaderMapping, required: frozenset[Field]) -> tuple[Field, ...]:
    """Return the required fields no column of the header holds, in template order."""
    present = set(mapping.columns.values())
    if Field.PHONE in present:
        present |= _COVERED_BY_PHONE
    return tuple(field for field in Field if field in required and field not in present)
