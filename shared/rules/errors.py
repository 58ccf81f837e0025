"""Row errors: stable machine codes and the messages shown to the user in pt-BR or English."""

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.rules.fields import TEMPLATE_HEADERS, Field

Locale = Literal["pt-BR", "en"]


class ErrorCode(StrEnum):
    """Every code a row rule can report; the value is the stable machine code."""

    VALUE_REQUIRED = "value.required"
    VALUE_TOO_LONG = "value.too_long"
    VALUE_SCIENTIFIC_NOTATION = "value.scientific_notation"
    VALUE_INVALID_CHARACTERS = "value.invalid_characters"
    FULL_NAME_REQUIRED = "full_name.required"
    EMAIL_INVALID = "email.invalid"
    DOCUMENT_INVALID_FORMAT = "document.invalid_format"
    DOCUMENT_LENGTH = "document.length"
    DOCUMENT_CHECK_DIGITS = "document.check_digits"
    DOCUMENT_NEVER_ISSUED = "document.never_issued"
    DOCUMENT_AMBIGUOUS = "document.ambiguous"
    PHONE_INVALID = "phone.invalid"
    PHONE_TYPE_INVALID = "phone_type.invalid"
    PHONE_DDI_INVALID = "phone_ddi.invalid"
    PHONE_DDD_INVALID = "phone_ddd.invalid"
    PHONE_DDD_UNKNOWN = "phone_ddd.unknown"
    PHONE_DDD_REQUIRED = "phone_ddd.required"
    PHONE_NUMBER_INVALID = "phone_number.invalid"
    PHONE_NUMBER_REQUIRED = "phone_number.required"
    PHONE_NUMBER_MOBILE_FORMAT = "phone_number.mobile_format"
    PHONE_NUMBER_LANDLINE_FORMAT = "phone_number.landline_format"
    PHONE_NUMBER_FOREIGN_INVALID = "phone_number.foreign_invalid"
    PHONE_EXTENSION_INVALID = "phone_extension.invalid"
    POSTAL_CODE_INVALID = "postal_code.invalid"
    STATE_INVALID = "state.invalid"
    # Custom registration fields of the account, judged by their type.
    CUSTOM_NUMBER_INVALID = "custom_number.invalid"
    CUSTOM_NUMBER_AMBIGUOUS = "custom_number.ambiguous"
    CUSTOM_NUMBER_TOO_LONG = "custom_number.too_long"
    CUSTOM_DATE_INVALID = "custom_date.invalid"
    CUSTOM_DATE_NOT_A_DAY = "custom_date.not_a_day"
    CUSTOM_DATE_TWO_DIGIT_YEAR = "custom_date.two_digit_year"
    CUSTOM_DATE_SERIAL_NUMBER = "custom_date.serial_number"
    CUSTOM_BOOLEAN_INVALID = "custom_boolean.invalid"
    CUSTOM_OPTION_INVALID = "custom_option.invalid"
    # Decided for the whole row by the validator, from the file's shape.
    ROW_TOO_MANY_CELLS = "row.too_many_cells"
    # Decided by the customer writer, against what the account already has.
    EMAIL_REPEATED_IN_FILE = "email.repeated_in_file"
    EMAIL_ALREADY_REGISTERED = "email.already_registered"
    EXTERNAL_CODE_REPEATED_IN_FILE = "external_code.repeated_in_file"
    EXTERNAL_CODE_ALREADY_REGISTERED = "external_code.already_registered"
    # Decided by the subscription service: the customer exists, its subscription does not.
    SUBSCRIPTION_PLAN_UNAVAILABLE = "subscription.plan_unavailable"


class RowError(BaseModel):
    """One problem found in one row; `column` is the user's header text, set by the caller.

    A problem of a custom registration field has no `field`: `custom_field` holds its key.
    """

    model_config = ConfigDict(frozen=True)

    field: Field | None
    column: str | None = None
    custom_field: str | None = None
    code: str
    params: dict[str, str] = {}


# Each template says what is wrong and how to fix it. Placeholders are filled from params.
MESSAGES: Mapping[str, Mapping[Locale, str]] = {
    ErrorCode.VALUE_REQUIRED: {
        "pt-BR": "campo obrigatório em branco. Preencha este campo para o cliente.",
        "en": "required value is blank. Fill in this field for the customer.",
    },
    ErrorCode.VALUE_TOO_LONG: {
        "pt-BR": "valor com {length} caracteres; o máximo é {max}. Abrevie o texto.",
        "en": "value has {length} characters; the maximum is {max}. Shorten the text.",
    },
    ErrorCode.VALUE_SCIENTIFIC_NOTATION: {
        "pt-BR": (
            "o valor «{value}» está em notação científica: a célula foi formatada como número "
            "na planilha e os dígitos se perderam. Formate a coluna como Texto e digite o "
            "valor novamente."
        ),
        "en": (
            "the value «{value}» is in scientific notation: the spreadsheet formatted the cell "
            "as a number and digits were lost. Format the column as Text and type the value "
            "again."
        ),
    },
    ErrorCode.VALUE_INVALID_CHARACTERS: {
        "pt-BR": (
            "o valor «{value}» tem caracteres ilegíveis (�): o arquivo mistura codificações. "
            'Salve o arquivo como UTF-8 (no Excel, "CSV UTF-8") e envie novamente.'
        ),
        "en": (
            "the value «{value}» has unreadable characters (�): the file mixes encodings. "
            'Save the file as UTF-8 ("CSV UTF-8" in Excel) and upload it again.'
        ),
    },
    ErrorCode.FULL_NAME_REQUIRED: {
        "pt-BR": "nome completo em branco. Preencha o nome do cliente; ele é obrigatório.",
        "en": "full name is blank. Fill in the customer's name; it is required.",
    },
    ErrorCode.EMAIL_INVALID: {
        "pt-BR": (
            "e-mail inválido («{value}»). Corrija para o formato nome@dominio.com.br, "
            "sem espaços e com um único @."
        ),
        "en": (
            "invalid e-mail «{value}» ({reason}). Correct it to the form name@domain.com, "
            "without spaces and with a single @."
        ),
    },
    ErrorCode.DOCUMENT_INVALID_FORMAT: {
        "pt-BR": (
            "CPF/CNPJ inválido («{value}»): use apenas números (e letras no CNPJ "
            "alfanumérico), com ou sem pontos, traço e barra."
        ),
        "en": (
            "invalid CPF/CNPJ «{value}»: use digits only (and letters in an alphanumeric "
            "CNPJ), with or without dots, hyphen and slash."
        ),
    },
    ErrorCode.DOCUMENT_LENGTH: {
        "pt-BR": (
            "CPF/CNPJ inválido («{value}»): tem {length} caracteres, mas um CPF tem 11 e um "
            "CNPJ tem 14. Confira o número no documento do cliente."
        ),
        "en": (
            "invalid CPF/CNPJ «{value}»: it has {length} characters, but a CPF has 11 and a "
            "CNPJ has 14. Check the number on the customer's document."
        ),
    },
    ErrorCode.DOCUMENT_CHECK_DIGITS: {
        "pt-BR": (
            "CPF/CNPJ inválido («{value}»): os dígitos verificadores não conferem. Confira o "
            "número no documento do cliente."
        ),
        "en": (
            "invalid CPF/CNPJ «{value}»: the check digits do not match. Check the number on "
            "the customer's document."
        ),
    },
    ErrorCode.DOCUMENT_NEVER_ISSUED: {
        "pt-BR": (
            "CPF/CNPJ inválido («{value}»): este número nunca é emitido pela Receita Federal. "
            "Informe o documento real do cliente ou deixe a célula em branco."
        ),
        "en": (
            "invalid CPF/CNPJ «{value}»: this number is never issued by the Brazilian tax "
            "authority. Enter the customer's real document or leave the cell blank."
        ),
    },
    ErrorCode.DOCUMENT_AMBIGUOUS: {
        "pt-BR": (
            "CPF/CNPJ ambíguo («{value}»): os zeros à esquerda se perderam e o número pode ser "
            "o CPF {cpf} ou o CNPJ {cnpj}. Formate a coluna como Texto e digite o número "
            "completo."
        ),
        "en": (
            "ambiguous CPF/CNPJ «{value}»: its leading zeros were lost and it may be CPF {cpf} "
            "or CNPJ {cnpj}. Format the column as Text and type the full number."
        ),
    },
    ErrorCode.PHONE_INVALID: {
        "pt-BR": (
            "telefone não reconhecido («{value}»). Escreva com DDD, por exemplo "
            "(11) 98765-4321, ou com o código do país, por exemplo +55 11 3333-3333."
        ),
        "en": (
            "phone number not recognised «{value}». Write it with the area code, for example "
            "(11) 98765-4321, or with the country code, for example +55 11 3333-3333."
        ),
    },
    ErrorCode.PHONE_TYPE_INVALID: {
        "pt-BR": "tipo de telefone «{value}» desconhecido. Use celular ou fixo.",
        "en": "unknown phone type «{value}». Use celular (mobile) or fixo (landline).",
    },
    ErrorCode.PHONE_DDI_INVALID: {
        "pt-BR": (
            "DDI «{value}» inválido. Informe o código do país com 1 a 3 dígitos, por exemplo "
            "+55 para o Brasil."
        ),
        "en": (
            "invalid country code «{value}». Enter the country calling code with 1 to 3 "
            "digits, for example +55 for Brazil."
        ),
    },
    ErrorCode.PHONE_DDD_INVALID: {
        "pt-BR": "DDD «{value}» inválido. Informe o DDD com 2 dígitos, por exemplo 11.",
        "en": "invalid area code «{value}». Enter the 2-digit area code, for example 11.",
    },
    ErrorCode.PHONE_DDD_UNKNOWN: {
        "pt-BR": "o DDD {value} não existe no Brasil. Confira o DDD do telefone do cliente.",
        "en": "area code {value} does not exist in Brazil. Check the customer's area code.",
    },
    ErrorCode.PHONE_DDD_REQUIRED: {
        "pt-BR": "telefone sem DDD. Preencha o DDD (2 dígitos, por exemplo 11).",
        "en": "phone number without area code. Fill in the area code (2 digits, e.g. 11).",
    },
    ErrorCode.PHONE_NUMBER_INVALID: {
        "pt-BR": (
            "número de telefone «{value}» inválido: deve ter 8 ou 9 dígitos, sem o DDD. "
            "Corrija o número."
        ),
        "en": (
            "invalid phone number «{value}»: it must have 8 or 9 digits, without the area "
            "code. Correct the number."
        ),
    },
    ErrorCode.PHONE_NUMBER_REQUIRED: {
        "pt-BR": (
            "DDD ou ramal preenchido sem o número do telefone. Preencha o número ou apague "
            "o DDD e o ramal."
        ),
        "en": (
            "area code or extension filled in without the phone number. Fill in the number "
            "or clear the area code and extension."
        ),
    },
    ErrorCode.PHONE_NUMBER_MOBILE_FORMAT: {
        "pt-BR": (
            "celular «{value}» inválido: no Brasil um celular tem 9 dígitos e começa com 9. "
            "Corrija o número ou, se for fixo, informe o tipo fixo."
        ),
        "en": (
            "invalid mobile number «{value}»: a Brazilian mobile number has 9 digits starting "
            "with 9. Correct the number or, for a landline, set the type to fixo."
        ),
    },
    ErrorCode.PHONE_NUMBER_LANDLINE_FORMAT: {
        "pt-BR": (
            "telefone fixo «{value}» inválido: no Brasil um fixo tem 8 dígitos e começa com "
            "2, 3, 4 ou 5. Se for celular, ele tem 9 dígitos: acrescente o 9 na frente."
        ),
        "en": (
            "invalid landline number «{value}»: a Brazilian landline has 8 digits starting "
            "with 2, 3, 4 or 5. A mobile number has 9 digits: add the leading 9."
        ),
    },
    ErrorCode.PHONE_NUMBER_FOREIGN_INVALID: {
        "pt-BR": (
            "o telefone «{value}» não é um número válido para o DDI +{ddi}. Confira o DDI, "
            "o código de área e o número."
        ),
        "en": (
            "«{value}» is not a valid phone number for country code +{ddi}. Check the country "
            "code, the area code and the number."
        ),
    },
    ErrorCode.PHONE_EXTENSION_INVALID: {
        "pt-BR": "ramal «{value}» inválido. Use apenas números, até 6 dígitos.",
        "en": "invalid extension «{value}». Use digits only, up to 6 digits.",
    },
    ErrorCode.POSTAL_CODE_INVALID: {
        "pt-BR": (
            "CEP «{value}» inválido. Informe os 8 dígitos do CEP, com ou sem hífen, por "
            "exemplo 01310-100."
        ),
        "en": (
            "invalid CEP (postal code) «{value}». Enter its 8 digits, with or without a "
            "hyphen, for example 01310-100."
        ),
    },
    ErrorCode.STATE_INVALID: {
        "pt-BR": (
            "estado «{value}» não reconhecido. Use a sigla com duas letras (por exemplo SP) "
            "ou o nome do estado."
        ),
        "en": (
            "state «{value}» not recognised. Use the two-letter UF (for example SP) or the "
            "state's name."
        ),
    },
    ErrorCode.CUSTOM_NUMBER_INVALID: {
        "pt-BR": (
            "«{value}» não é um número. Escreva só o número, com vírgula nos decimais, por "
            "exemplo 1234,56 ou 1.234,56."
        ),
        "en": (
            "«{value}» is not a number. Write the number alone, for example 1234.56 or 1,234.56."
        ),
    },
    ErrorCode.CUSTOM_NUMBER_AMBIGUOUS: {
        "pt-BR": (
            "o número «{value}» é ambíguo: pode ser {thousands} (com ponto de milhar) ou "
            "{decimal_pt} (com decimais). Escreva {thousands} se for milhar, ou {decimal_pt_fixed} "
            "se tiver decimais."
        ),
        "en": (
            "the number «{value}» is ambiguous: it may be {thousands} (with a thousands "
            "separator) or {decimal_en} (with decimals). Write {thousands} for thousands, or "
            "{decimal_en_fixed} for decimals (Brazilian style: {decimal_pt_fixed}, "
            "not {decimal_pt})."
        ),
    },
    ErrorCode.CUSTOM_NUMBER_TOO_LONG: {
        "pt-BR": (
            "o número «{value}» tem mais de {max} dígitos e não pode ser guardado com exatidão. "
            "Se é um código, peça que o campo seja do tipo texto."
        ),
        "en": (
            "the number «{value}» has more than {max} digits and cannot be kept exactly. If it "
            "is a code, ask for the field to be of type text."
        ),
    },
    ErrorCode.CUSTOM_DATE_INVALID: {
        "pt-BR": (
            "data «{value}» não reconhecida. Escreva dia/mês/ano com 4 dígitos no ano, por "
            "exemplo 31/01/2026, ou 2026-01-31."
        ),
        "en": (
            "date «{value}» not recognised. Write day/month/year with a 4-digit year, for "
            "example 31/01/2026, or 2026-01-31."
        ),
    },
    ErrorCode.CUSTOM_DATE_NOT_A_DAY: {
        "pt-BR": (
            "a data «{value}» não existe no calendário. Escreva dia/mês/ano (o dia antes do "
            "mês), por exemplo 31/01/2026."
        ),
        "en": (
            "the date «{value}» does not exist in the calendar. Write day/month/year (the day "
            "before the month), for example 31/01/2026."
        ),
    },
    ErrorCode.CUSTOM_DATE_TWO_DIGIT_YEAR: {
        "pt-BR": (
            "a data «{value}» tem o ano com 2 dígitos, que pode ser de dois séculos. Escreva o "
            "ano com 4 dígitos, por exemplo 31/01/2026."
        ),
        "en": (
            "the date «{value}» has a 2-digit year, which may belong to two centuries. Write "
            "the year with 4 digits, for example 31/01/2026."
        ),
    },
    ErrorCode.CUSTOM_DATE_SERIAL_NUMBER: {
        "pt-BR": (
            "«{value}» é um número, não uma data: a planilha guardou a data como número (seria "
            "{date}). Formate a coluna como Data ou Texto e escreva dia/mês/ano."
        ),
        "en": (
            "«{value}» is a number, not a date: the spreadsheet stored the date as a number (it "
            "would be {date}). Format the column as Date or Text and write day/month/year."
        ),
    },
    ErrorCode.CUSTOM_BOOLEAN_INVALID: {
        "pt-BR": "«{value}» não é sim nem não. Escreva sim ou não (também aceitos: s/n, x, 1/0).",
        "en": "«{value}» is neither yes nor no. Write yes or no (also accepted: y/n, x, 1/0).",
    },
    ErrorCode.CUSTOM_OPTION_INVALID: {
        "pt-BR": "«{value}» não é uma das opções. Escreva uma destas: {options}.",
        "en": "«{value}» is not one of the options. Write one of: {options}.",
    },
    ErrorCode.ROW_TOO_MANY_CELLS: {
        "pt-BR": (
            "a linha tem {cells} células preenchidas, mas o cabeçalho tem {columns} colunas: "
            "provavelmente um separador (; ou ,) dentro de uma célula. Coloque essa célula "
            'entre aspas ("Apto 1; Bloco B") ou remova o separador.'
        ),
        "en": (
            "the row has {cells} filled cells but the header has {columns} columns: most likely "
            "a delimiter (; or ,) inside a cell. Put that cell in quotes "
            '("Apt 1; Block B") or remove the delimiter.'
        ),
    },
    ErrorCode.EMAIL_REPEATED_IN_FILE: {
        "pt-BR": (
            "este e-mail já aparece na linha {row} deste arquivo, e aquele cliente foi "
            "importado. Se é outra pessoa, corrija o e-mail; se é a mesma, apague esta linha."
        ),
        "en": (
            "this e-mail already appears on line {row} of this file, and that customer was "
            "imported. If this is someone else, correct the e-mail; if the same, delete this row."
        ),
    },
    ErrorCode.EMAIL_ALREADY_REGISTERED: {
        "pt-BR": (
            "já existe um cliente com este e-mail na sua conta. Se é outra pessoa, corrija o "
            "e-mail; se é o mesmo cliente, apague esta linha."
        ),
        "en": (
            "a customer with this e-mail already exists in your account. If this is someone "
            "else, correct the e-mail; if the same customer, delete this row."
        ),
    },
    ErrorCode.EXTERNAL_CODE_REPEATED_IN_FILE: {
        "pt-BR": (
            "este código externo já aparece na linha {row} deste arquivo; cada cliente precisa "
            "de um código único. Corrija o código ou apague esta linha."
        ),
        "en": (
            "this external code already appears on line {row} of this file; each customer needs "
            "a unique code. Correct the code or delete this row."
        ),
    },
    ErrorCode.EXTERNAL_CODE_ALREADY_REGISTERED: {
        "pt-BR": (
            "já existe um cliente com este código externo na sua conta. Use outro código ou "
            "apague esta linha."
        ),
        "en": (
            "a customer with this external code already exists in your account. Use another "
            "code or delete this row."
        ),
    },
    ErrorCode.SUBSCRIPTION_PLAN_UNAVAILABLE: {
        "pt-BR": (
            "o cliente foi cadastrado, mas não foi associado ao plano «{plan}»: o plano foi "
            "desativado ou ficou sem produtos depois que a importação começou. Não envie esta "
            "linha de novo (o cliente já existe): reative o plano e use «tentar de novo as "
            "assinaturas» na página da importação."
        ),
        "en": (
            "the customer was created but not subscribed to the plan «{plan}»: the plan was "
            "deactivated or left without products after the import started. Do not upload this "
            "row again (the customer exists): reactivate the plan and use «retry "
            "subscriptions» on the import's page."
        ),
    },
}

_COLUMN_PREFIX: Mapping[Locale, str] = {"pt-BR": "Coluna «{}»: ", "en": "Column «{}»: "}
# The single phone column is not in the template; its closest template header names it.
_FALLBACK_HEADERS: Mapping[Field, str] = {
    **TEMPLATE_HEADERS,
    Field.PHONE: TEMPLATE_HEADERS[Field.PHONE_NUMBER],
}


class _Params(dict[str, str]):
    """Template parameters that leave an unknown placeholder visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_error(error: RowError, locale: Locale = "pt-BR") -> str:
    """Return the user-facing message of one error, prefixed by its column when known."""
    template = MESSAGES.get(error.code, {}).get(locale, error.code)
    message = template.format_map(_Params(error.params))
    column = error.column
    if column is None and error.field is not None:
        column = _FALLBACK_HEADERS.get(error.field)
    if column is None:
        return message[:1].upper() + message[1:]
    return _COLUMN_PREFIX[locale].format(column) + message


def render_errors(errors: Iterable[RowError], locale: Locale = "pt-BR") -> str:
    """Return the messages of several errors joined by " | "."""
    return " | ".join(render_error(error, locale) for error in errors)
