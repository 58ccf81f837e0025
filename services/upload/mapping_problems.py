"""The mapping step's messages: what is wrong with a mapping and how to fix it, pt-BR or English."""

from collections.abc import Sequence
from typing import Final
from uuid import UUID

from services.upload.account_fields import AccountFields
from services.upload.column_mapping import EffectiveMapping
from services.upload.problems import ApiProblemError
from shared.file_problems import Locale
from shared.rules.fields import TEMPLATE_HEADERS, Field

_FIELD_LABELS: Final[dict[Locale, dict[str, str]]] = {
    "pt-BR": {
        **{field.value: header for field, header in TEMPLATE_HEADERS.items()},
        Field.PHONE.value: "Telefone completo (DDI, DDD e número)",
    },
    "en": {
        Field.FULL_NAME.value: "Full name",
        Field.EMAIL.value: "E-mail",
        Field.DOCUMENT.value: "CPF or CNPJ",
        Field.PHONE_TYPE.value: "Phone type",
        Field.PHONE_DDI.value: "Country code (DDI)",
        Field.PHONE_DDD.value: "Area code (DDD)",
        Field.PHONE_NUMBER.value: "Phone number",
        Field.PHONE_EXTENSION.value: "Extension",
        Field.POSTAL_CODE.value: "Postal code (CEP)",
        Field.STREET.value: "Street",
        Field.STREET_NUMBER.value: "Street number",
        Field.COMPLEMENT.value: "Complement",
        Field.DISTRICT.value: "District",
        Field.CITY.value: "City",
        Field.STATE.value: "State (UF)",
        Field.NOTES.value: "Notes",
        Field.EXTERNAL_CODE.value: "External code",
        Field.PHONE.value: "Whole phone number (country code, area code and number)",
    },
}


_MESSAGES: Final[dict[str, dict[Locale, str]]] = {
    "ignored": {
        "pt-BR": "As colunas {columns} não correspondem a nenhum campo e serão ignoradas. Para "
        "importá-las, relacione cada uma a um campo.",
        "en": "The columns {columns} match no field and will be ignored. To import them, map "
        "each to a field.",
    },
    "mapping.missing_required": {
        "pt-BR": "Nenhuma coluna da planilha foi relacionada aos campos obrigatórios {fields}. "
        "Relacione uma coluna a cada um (PUT /v1/imports/{import_id}/mapping) ou acrescente a "
        "coluna à planilha e envie o arquivo de novo.",
        "en": "No column of the spreadsheet is mapped to the required fields {fields}. Map a "
        "column to each (PUT /v1/imports/{import_id}/mapping) or add the column to the "
        "spreadsheet and upload the file again.",
    },
    "mapping.unknown_column": {
        "pt-BR": "A coluna {column} não existe: o arquivo tem {count} colunas, numeradas de 0 a "
        "{last}.",
        "en": "Column {column} does not exist: the file has {count} columns, numbered 0 to {last}.",
    },
    "mapping.unknown_field": {
        "pt-BR": "«{field}» (coluna {column}) não é um campo. Use um destes: {fields}.",
        "en": "«{field}» (column {column}) is not a field. Use one of: {fields}.",
    },
    "mapping.field_twice": {
        "pt-BR": "O campo «{field}» foi escolhido para as colunas {other} e {column}. Escolha-o "
        "para uma coluna só.",
        "en": "The field «{field}» was chosen for columns {other} and {column}. Choose it for "
        "one column only.",
    },
    "mapping.column_twice": {
        "pt-BR": "A coluna {column} aparece mais de uma vez. Escolha um campo só para ela.",
        "en": "Column {column} is listed more than once. Choose one field for it.",
    },
    "mapping.saved_not_found": {
        "pt-BR": "A conta não tem um mapeamento salvo chamado «{name}». Veja os salvos em "
        "GET /v1/mappings.",
        "en": "The account has no saved mapping named «{name}». See the saved ones at "
        "GET /v1/mappings.",
    },
    "import.not_mappable": {
        "pt-BR": "A importação está «{status}»: o mapeamento só pode mudar antes de começar, "
        "com um arquivo aceito.",
        "en": "The import is «{status}»: its mapping can only change before it starts, with an "
        "accepted file.",
    },
}


def message(code: str, locale: Locale, **params: object) -> str:
    """A message of the mapping step, in the locale."""
    return _MESSAGES[code][locale].format(**params)


def label(target: str, fields: AccountFields, locale: Locale) -> str:
    """How forms name a field: the template's header, or the custom field's label."""
    custom = fields.custom_by_key.get(target)
    return custom.label if custom is not None else _FIELD_LABELS[locale].get(target, target)


def named(targets: Sequence[str], fields: AccountFields, locale: Locale) -> str:
    """Fields as a message lists them: «label» (name)."""
    return ", ".join(f"«{label(target, fields, locale)}» ({target})" for target in targets)


def missing_required_problem(
    mapping: EffectiveMapping, fields: AccountFields, import_id: UUID, locale: Locale
) -> ApiProblemError:
    """422: the mapping leaves a required field without a column."""
    return ApiProblemError(
        422,
        "mapping.missing_required",
        message(
            "mapping.missing_required",
            locale,
            fields=named(mapping.missing_required, fields, locale),
            import_id=import_id,
        ),
        missing_required=list(mapping.missing_required),
    )
