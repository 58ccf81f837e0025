"""The customer fields an import can fill, in template order."""

from enum import StrEnum


class Field(StrEnum):
    """A customer registration field a spreadsheet column can be mapped to."""

    FULL_NAME = "full_name"
    EMAIL = "email"
    DOCUMENT = "document"
    PHONE_TYPE = "phone_type"
    PHONE_DDI = "phone_ddi"
    PHONE_DDD = "phone_ddd"
    PHONE_NUMBER = "phone_number"
    PHONE_EXTENSION = "phone_extension"
    POSTAL_CODE = "postal_code"
    STREET = "street"
    STREET_NUMBER = "street_number"
    COMPLEMENT = "complement"
    DISTRICT = "district"
    CITY = "city"
    STATE = "state"
    NOTES = "notes"
    EXTERNAL_CODE = "external_code"
    # Not in the template: a single "phone" column ("(11) 98765-4321") split into DDI/DDD/number.
    PHONE = "phone"


TEMPLATE_FIELDS: tuple[Field, ...] = tuple(f for f in Field if f is not Field.PHONE)

# Header names of the exported template (pt-BR), in template order.
TEMPLATE_HEADERS: dict[Field, str] = {
    Field.FULL_NAME: "Nome completo",
    Field.EMAIL: "E-mail",
    Field.DOCUMENT: "CPF ou CNPJ",
    Field.PHONE_TYPE: "Tipo de telefone",
    Field.PHONE_DDI: "DDI",
    Field.PHONE_DDD: "DDD",
    Field.PHONE_NUMBER: "Telefone",
    Field.PHONE_EXTENSION: "Ramal",
    Field.POSTAL_CODE: "CEP",
    Field.STREET: "Endereço",
    Field.STREET_NUMBER: "Número",
    Field.COMPLEMENT: "Complemento",
    Field.DISTRICT: "Bairro",
    Field.CITY: "Cidade",
    Field.STATE: "Estado",
    Field.NOTES: "Observações",
    Field.EXTERNAL_CODE: "Código externo",
}
