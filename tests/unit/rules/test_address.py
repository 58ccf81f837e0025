import pytest

from shared.rules.errors import ErrorCode
from shared.rules.fields import Field
from shared.rules.validate import validate_row


def stored(field: Field, value: str) -> str | None:
    result = validate_row({Field.FULL_NAME: "Maria", field: value})
    assert result.record is not None, result.errors
    stored_value: str | None = getattr(result.record, field.value)
    return stored_value


def codes(field: Field, value: str) -> list[str]:
    result = validate_row({Field.FULL_NAME: "Maria", field: value})
    return [error.code for error in result.errors]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("01310-100", "01310100"),
        ("01310100", "01310100"),
        ("01.310-100", "01310100"),
        (" 90010 - 150 ", "90010150"),
        ("01310\u2013100", "01310100"),
        # A cell formatted as a number dropped the leading zero.
        ("1310100", "01310100"),
        ("99999-999", "99999999"),
    ],
)
def test_accepted_postal_codes(value: str, expected: str) -> None:
    assert stored(Field.POSTAL_CODE, value) == expected


@pytest.mark.parametrize(
    "value", ["131010", "013101000", "01310-10a", "CEP 01310-100", "00999-999", "0", "1,3101E+6"]
)
def test_rejected_postal_codes(value: str) -> None:
    expected = (
        ErrorCode.VALUE_SCIENTIFIC_NOTATION if "E+" in value else ErrorCode.POSTAL_CODE_INVALID
    )

    assert codes(Field.POSTAL_CODE, value) == [expected]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("SP", "SP"),
        ("sp", "SP"),
        (" rj ", "RJ"),
        ("S.P.", "SP"),
        ("São Paulo", "SP"),
        ("sao paulo", "SP"),
        ("SAO PAULO", "SP"),
        ("Rio Grande do Sul", "RS"),
        ("rio grande do norte", "RN"),
        ("Pará", "PA"),
        ("Paraíba", "PB"),
        ("Paraná", "PR"),
        ("Distrito Federal", "DF"),
        ("espirito santo", "ES"),
        ("Tocantins", "TO"),
    ],
)
def test_accepted_states(value: str, expected: str) -> None:
    assert stored(Field.STATE, value) == expected


def test_all_27_ufs_are_accepted() -> None:
    ufs = [
        "AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA",
        "PB", "PR", "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO",
    ]  # fmt: skip

    assert [stored(Field.STATE, uf.lower()) for uf in ufs] == ufs


@pytest.mark.parametrize("value", ["XX", "S", "SPA", "Guanabara", "Brasil", "São"])
def test_rejected_states(value: str) -> None:
    assert codes(Field.STATE, value) == [ErrorCode.STATE_INVALID]
