import pytest

from shared.rules.fields import TEMPLATE_FIELDS, TEMPLATE_HEADERS, Field
from shared.rules.headers import HeaderMapping, map_header, missing_required


def test_the_template_header_maps_every_column_in_order() -> None:
    mapping = map_header([TEMPLATE_HEADERS[field] for field in TEMPLATE_FIELDS])

    assert mapping == HeaderMapping(
        columns=dict(enumerate(TEMPLATE_FIELDS)), ignored=(), duplicates=()
    )


def test_an_english_header() -> None:
    header = [
        "Full name", "Email", "Tax ID", "Phone type", "Country code", "Area code",
        "Phone number", "Extension", "Postal code", "Street", "Street number", "Complement",
        "Neighborhood", "City", "State", "Notes", "External ID",
    ]  # fmt: skip

    assert map_header(header).columns == dict(enumerate(TEMPLATE_FIELDS))


def test_a_messy_header_with_accents_case_punctuation_and_invisible_characters() -> None:
    header = [
        "\ufeffNOME  COMPLETO*", "e_mail", "CPF/CNPJ", "codigo de area", "Telefone (com 9)",
        "endereco", "Nº", "municipio", " U.F. ", "Obs.:", "C.E.P.", "\u00a0Código Externo\u200b",
    ]  # fmt: skip

    mapping = map_header(header)

    assert list(mapping.columns.values()) == [
        Field.FULL_NAME, Field.EMAIL, Field.DOCUMENT, Field.PHONE_DDD, Field.PHONE_NUMBER,
        Field.STREET, Field.STREET_NUMBER, Field.CITY, Field.STATE, Field.NOTES,
        Field.POSTAL_CODE, Field.EXTERNAL_CODE,
    ]  # fmt: skip
    assert mapping.ignored == ()


@pytest.mark.parametrize("phone_header", ["Telefone", "fone", "Celular", "Phone", "Phone number"])
def test_a_phone_column_without_a_ddd_column_holds_the_whole_number(phone_header: str) -> None:
    mapping = map_header(["Nome", phone_header])

    assert mapping.columns == {0: Field.FULL_NAME, 1: Field.PHONE}


@pytest.mark.parametrize("header", [["Nome", "DDD", "Telefone"], ["Nome", "Telefone", "DDD"]])
def test_a_phone_column_beside_a_ddd_column_holds_the_number(header: list[str]) -> None:
    mapping = map_header(header)

    assert mapping.columns[header.index("Telefone")] is Field.PHONE_NUMBER
    assert mapping.columns[header.index("DDD")] is Field.PHONE_DDD


SYNONYMS = {
    Field.FULL_NAME: [
        "nome",
        "nome completo",
        "Razão Social",
        "name",
        "full name",
        "Customer Name",
    ],
    Field.EMAIL: ["E-mail", "email", "mail", "Correio Eletrônico"],
    Field.DOCUMENT: ["CPF", "CNPJ", "CPF/CNPJ", "CPF ou CNPJ", "documento", "document", "Tax ID"],
    Field.PHONE_TYPE: ["Tipo de telefone", "tipo telefone", "Phone type"],
    Field.PHONE_DDI: ["DDI", "Código do país", "Country code"],
    Field.PHONE_DDD: ["DDD", "Código de área", "Area code"],
    Field.PHONE_EXTENSION: ["Ramal", "Extension", "Ext."],
    Field.POSTAL_CODE: ["CEP", "Código postal", "ZIP", "Postal code"],
    Field.STREET: ["Endereço", "Logradouro", "Rua", "Street", "Address"],
    Field.STREET_NUMBER: ["Número", "nº", "No.", "num", "Number", "Street number", "N°"],
    Field.COMPLEMENT: ["Complemento", "Complement"],
    Field.DISTRICT: ["Bairro", "District", "Neighborhood"],
    Field.CITY: ["Cidade", "Município", "City"],
    Field.STATE: ["Estado", "UF", "State"],
    Field.NOTES: ["Observações", "Obs", "Notes", "Observation"],
    Field.EXTERNAL_CODE: ["Código externo", "Código", "External code", "External ID", "ID externo"],
}


@pytest.mark.parametrize(
    ("name", "field"), [(name, field) for field, names in SYNONYMS.items() for name in names]
)
def test_synonyms_and_abbreviations(name: str, field: Field) -> None:
    assert map_header([name]).columns == {0: field}


@pytest.mark.parametrize("name", ["Número do telefone", "telefone", "PHONE NUMBER"])
def test_phone_number_synonyms(name: str) -> None:
    assert map_header(["DDD", name]).columns == {0: Field.PHONE_DDD, 1: Field.PHONE_NUMBER}


def test_unknown_and_repeated_columns_are_left_out_and_listed() -> None:
    mapping = map_header(["Nome", "Data de nascimento", "E-mail", "Name", "", "email", "  "])

    assert mapping == HeaderMapping(
        columns={0: Field.FULL_NAME, 2: Field.EMAIL},
        ignored=("Data de nascimento",),
        duplicates=("Name", "email"),
    )


def test_missing_required_lists_absent_fields_in_template_order() -> None:
    mapping = map_header(["E-mail", "Cidade"])
    required = frozenset({Field.CITY, Field.FULL_NAME, Field.DOCUMENT, Field.EMAIL})

    assert missing_required(mapping, required) == (Field.FULL_NAME, Field.DOCUMENT)


def test_a_single_phone_column_covers_the_split_phone_fields() -> None:
    mapping = map_header(["Nome", "Telefone"])
    required = frozenset({Field.FULL_NAME, Field.PHONE_DDD, Field.PHONE_NUMBER, Field.PHONE_TYPE})

    assert missing_required(mapping, required) == (Field.PHONE_TYPE,)


def test_nothing_is_missing_from_the_template() -> None:
    mapping = map_header([TEMPLATE_HEADERS[field] for field in TEMPLATE_FIELDS])

    assert missing_required(mapping, frozenset(TEMPLATE_FIELDS)) == ()
