"""Reading one customer from a request, and splitting a search text into terms."""

import pytest

from services.upload.customers import (
    UNKNOWN_FIELD,
    VALUE_NOT_TEXT,
    InvalidCustomerError,
    SearchTerms,
    read_customer,
    search_terms,
)


def test_reads_a_valid_customer_with_the_import_rules() -> None:
    record = read_customer({"full_name": " Ana ", "email": "Ana@X.com", "notes": None})

    assert (record.full_name, record.email, record.notes) == ("Ana", "ana@x.com", None)


def test_reports_unknown_keys_values_that_are_not_text_and_rule_errors_together() -> None:
    with pytest.raises(InvalidCustomerError) as raised:
        read_customer({"full_name": 7, "apelido": "Aninha", "state": "XX"})

    assert [(p.key, p.code) for p in raised.value.inputs] == [
        ("full_name", VALUE_NOT_TEXT),
        ("apelido", UNKNOWN_FIELD),
    ]
    # The name is not "required" again: its problem is that it is not text.
    assert [e.code for e in raised.value.errors] == ["state.invalid"]
    assert "apelido" in raised.value.inputs[1].message("en")
    assert raised.value.inputs[1].message("pt-BR").startswith("O campo «apelido» não existe")


CPF = "529.982.247-25"
# The alphanumeric CNPJ: letters are part of the number.
CNPJ = "12.abc.345/0001-x"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (None, SearchTerms(None, None, None, None)),
        ("   ", SearchTerms(None, None, None, None)),
        ("Maria", SearchTerms("Maria", "maria", None, "Maria")),
        ("Maria José", SearchTerms("Maria José", None, None, "Maria José")),
        ("529.982.247-25", SearchTerms(CPF, CPF, "52998224725", CPF)),
        (CNPJ, SearchTerms(CNPJ, CNPJ, "12ABC3450001X", CNPJ)),
        ("50%_off\\", SearchTerms("50\\%\\_off\\\\", "50\\%\\_off\\\\", None, "50%_off\\")),
        ("\u00a0Zoë\u200b", SearchTerms("Zoë", "zoë", None, "Zoë")),
    ],
)
def test_search_terms(query: str | None, expected: SearchTerms) -> None:
    assert search_terms(query) == expected
