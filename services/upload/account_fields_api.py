"""HTTP routes of what an account asks of its customers: required fields and custom fields."""

from typing import Annotated, Final

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ValidationError
from pydantic import Field as Describe

from services.upload import account_fields_repository as repository
from services.upload.access import Action, audit
from services.upload.account_fields import (
    REQUIRABLE,
    account_fields,
    definition_problems,
    in_template_order,
    set_required_fields,
)
from services.upload.api import LanguageHeader
from services.upload.auth import ManagesSettings, ReadsSettings
from services.upload.problems import ApiProblemError, locale_of
from services.upload.runtime import runtime_of
from shared.file_problems import Locale
from shared.rules.custom_fields import CustomFieldDefinition, CustomFieldType
from shared.rules.fields import TEMPLATE_HEADERS, Field
from shared.rules.headers import header_key, map_header

router = APIRouter(prefix="/v1", tags=["account settings"])


class AccountSettings(BaseModel):
    """What every customer of the account must have, in the template's order."""

    required_fields: list[Field] = Describe(
        description="Template fields a customer must have; full_name is always required. "
        "Imports refuse a mapping without a column for each; a blank value fails the row.",
        examples=[["full_name", "email"]],
    )


class RequiredFieldsChange(BaseModel):
    """The fields to require (full_name is kept whether sent or not)."""

    required_fields: list[str]


@router.get("/settings", response_model=AccountSettings)
async def get_settings(request: Request, caller: ReadsSettings) -> AccountSettings:
    """The account's required fields."""
    async with runtime_of(request).pool.acquire() as connection:
        fields = await account_fields(connection, account_id=caller.account_id)
    return AccountSettings(required_fields=in_template_order(fields.required))


_UNKNOWN_REQUIRED: Final[dict[Locale, str]] = {
    "pt-BR": "{values}: não são campos que possam ser obrigatórios. Use estes: {fields}.",
    "en": "{values}: not fields that can be required. Use these: {fields}.",
}


@router.put("/settings", response_model=AccountSettings)
async def change_settings(
    request: Request,
    body: RequiredFieldsChange,
    caller: ManagesSettings,
    accept_language: LanguageHeader = None,
) -> AccountSettings:
    """Choose the required fields (e.g. e-mail, as a help desk needs); applies to imports started
    from now on and to customers added one by one."""
    unknown = [value for value in body.required_fields if value not in REQUIRABLE]
    if unknown:
        template = _UNKNOWN_REQUIRED[locale_of(accept_language)]
        raise ApiProblemError(
            422,
            "settings.unknown_field",
            template.format(
                values=", ".join(f"«{value}»" for value in unknown),
                fields=", ".join(field.value for field in in_template_order(REQUIRABLE)),
            ),
            fields=unknown,
        )
    pool = runtime_of(request).pool
    async with pool.acquire() as connection:
        chosen = await set_required_fields(
            connection,
            account_id=caller.account_id,
            fields=[Field(value) for value in body.required_fields],
        )
    await audit(pool, caller, Action.SETTINGS_CHANGE_REQUIRED)
    return AccountSettings(required_fields=in_template_order(chosen))


# --- custom fields ------------------------------------------------------------------------------


class CustomFieldBody(BaseModel):
    """A custom field as sent: its key is in the path when it is changed."""

    label: str = Describe(description="What forms and error messages call it (1-80 characters).")
    type: CustomFieldType
    required: bool = False
    options: list[str] = Describe(default=[], description="The allowed values of a one_of field.")


class NewCustomField(CustomFieldBody):
    """A custom field to add."""

    key: str = Describe(
        description="How the API and mappings name it: lower-case letters, digits and _, "
        "starting with a letter, up to 40 characters; not a template field's name.",
        examples=["nivel_fidelidade"],
    )


class CustomFieldList(BaseModel):
    """The account's custom fields, oldest first."""

    items: list[CustomFieldDefinition]


_DEFINITION_MESSAGES: Final[dict[str, dict[Locale, str]]] = {
    "custom_field.key_invalid": {
        "pt-BR": "A chave «{key}» não serve: use letras minúsculas sem acento, dígitos e _, "
        "começando por uma letra, até 40 caracteres (por exemplo nivel_fidelidade).",
        "en": "The key «{key}» cannot be used: use lower-case letters, digits and _, starting "
        "with a letter, up to 40 characters (for example loyalty_level).",
    },
    "custom_field.key_reserved": {
        "pt-BR": "A chave «{key}» é o nome de um campo do modelo. Escolha outra chave.",
        "en": "The key «{key}» is the name of a template field. Choose another key.",
    },
    "custom_field.label_blank": {
        "pt-BR": "Dê ao campo um nome com letras ou dígitos (até 80 caracteres).",
        "en": "Give the field a label with letters or digits (up to 80 characters).",
    },
    "custom_field.options_missing": {
        "pt-BR": "Um campo do tipo one_of precisa de opções: informe a lista em «options».",
        "en": "A one_of field needs options: list them in «options».",
    },
    "custom_field.options_repeated": {
        "pt-BR": "Há opções repetidas (maiúsculas e acentos não as distinguem). Deixe cada "
        "opção uma vez só.",
        "en": "Some options repeat (case and accents do not tell them apart). Keep each option "
        "once.",
    },
    "custom_field.option_too_long": {
        "pt-BR": "Uma opção tem mais de 254 caracteres. Abrevie-a.",
        "en": "An option is longer than 254 characters. Shorten it.",
    },
    "custom_field.options_not_allowed": {
        "pt-BR": "Só campos do tipo one_of têm opções: tire «options» ou use o tipo one_of.",
        "en": "Only one_of fields have options: remove «options» or use the type one_of.",
    },
    "custom_field.name_taken": {
        "pt-BR": "O nome «{label}» já é de um campo do modelo ou de outro campo personalizado: "
        "as colunas da planilha não saberiam a qual se referir. Escolha outro nome.",
        "en": "The label «{label}» already names a template field or another custom field: a "
        "spreadsheet column could not tell which it means. Choose another label.",
    },
}


def _definition(
    key: str, body: CustomFieldBody, others: list[CustomFieldDefinition], locale: Locale
) -> CustomFieldDefinition:
    """The definition sent, or a 422 problem listing everything wrong with it."""
    codes: list[str] = []
    try:
        definition = CustomFieldDefinition(
            key=key,
            label=body.label.strip(),
            type=body.type,
            required=body.required,
            options=tuple(option.strip() for option in body.options),
        )
    except ValidationError as error:
        wrong = {str(detail["loc"][0]) for detail in error.errors()}
        codes += [code for name, code in _SHAPE_CODES.items() if name in wrong]
    else:
        codes += definition_problems(definition)
        if _label_taken(definition, others):
            codes.append("custom_field.name_taken")
    if codes:
        messages = [
            _DEFINITION_MESSAGES[code][locale].format(key=key, label=body.label) for code in codes
        ]
        raise ApiProblemError(422, codes[0], " ".join(messages), problems=codes)
    return definition


# What the definition model refuses by itself: a key out of shape, a label blank or too long.
_SHAPE_CODES: Final = {"key": "custom_field.key_invalid", "label": "custom_field.label_blank"}


def _label_taken(definition: CustomFieldDefinition, others: list[CustomFieldDefinition]) -> bool:
    label = header_key(definition.label)
    if map_header([definition.label]).columns or label in {
        header_key(header) for header in TEMPLATE_HEADERS.values()
    }:
        return True
    return any(
        label in (header_key(other.label), header_key(other.key))
        for other in others
        if other.key != definition.key
    )


@router.get("/custom-fields", response_model=CustomFieldList)
async def list_custom_fields(request: Request, caller: ReadsSettings) -> CustomFieldList:
    """The account's custom registration fields."""
    async with runtime_of(request).pool.acquire() as connection:
        fields = await account_fields(connection, account_id=caller.account_id)
    return CustomFieldList(items=list(fields.custom_fields))


@router.post("/custom-fields", status_code=201, response_model=CustomFieldDefinition)
async def add_custom_field(
    request: Request,
    body: NewCustomField,
    caller: ManagesSettings,
    accept_language: LanguageHeader = None,
) -> CustomFieldDefinition:
    """Add a custom registration field: imports can map a column to it, customers carry it."""
    locale = locale_of(accept_language)
    pool = runtime_of(request).pool
    async with pool.acquire() as connection:
        fields = await account_fields(connection, account_id=caller.account_id)
        definition = _definition(body.key, body, list(fields.custom_fields), locale)
        added = await repository.insert_custom_field(
            connection, account_id=caller.account_id, definition=definition
        )
    if not added:
        raise ApiProblemError(
            409,
            "custom_field.exists",
            _EXISTS[locale].format(key=body.key),
        )
    await audit(pool, caller, Action.CUSTOM_FIELD_CREATE, subject=definition.key)
    return definition


_EXISTS: Final[dict[Locale, str]] = {
    "pt-BR": "A conta já tem o campo «{key}». Para mudá-lo, use PUT /v1/custom-fields/{key}.",
    "en": "The account already has the field «{key}». To change it, PUT /v1/custom-fields/{key}.",
}
_NO_FIELD: Final[dict[Locale, str]] = {
    "pt-BR": "A conta não tem o campo personalizado «{key}».",
    "en": "The account has no custom field «{key}».",
}

KeyPath = Annotated[str, Path(max_length=40)]


@router.put("/custom-fields/{key}", response_model=CustomFieldDefinition)
async def change_custom_field(
    request: Request,
    key: KeyPath,
    body: CustomFieldBody,
    caller: ManagesSettings,
    accept_language: LanguageHeader = None,
) -> CustomFieldDefinition:
    """Change a custom field's label, type, requirement or options (its key stays); values
    customers already have are kept as they were stored."""
    locale = locale_of(accept_language)
    pool = runtime_of(request).pool
    async with pool.acquire() as connection:
        fields = await account_fields(connection, account_id=caller.account_id)
        if key not in fields.custom_by_key:
            raise ApiProblemError(404, "custom_field.not_found", _NO_FIELD[locale].format(key=key))
        definition = _definition(key, body, list(fields.custom_fields), locale)
        await repository.update_custom_field(
            connection, account_id=caller.account_id, definition=definition
        )
    await audit(pool, caller, Action.CUSTOM_FIELD_CHANGE, subject=key)
    return definition


@router.delete("/custom-fields/{key}", status_code=204)
async def delete_custom_field(
    request: Request, key: KeyPath, caller: ManagesSettings, accept_language: LanguageHeader = None
) -> Response:
    """Remove a custom field: imports no longer offer it; customers keep the values they have."""
    pool = runtime_of(request).pool
    async with pool.acquire() as connection:
        deleted = await repository.delete_custom_field(
            connection, account_id=caller.account_id, key=key
        )
    if not deleted:
        locale = locale_of(accept_language)
        raise ApiProblemError(404, "custom_field.not_found", _NO_FIELD[locale].format(key=key))
    await audit(pool, caller, Action.CUSTOM_FIELD_DELETE, subject=key)
    return Response(status_code=204)
