import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.customer import CustomerRecord
from shared.rules.errors import ErrorCode
from shared.rules.fields import Field
from shared.rules.validate import validate_row
from tests.unit.rules.brazil import BR_DDDS

PhoneParts = tuple[str | None, str | None, str | None, str | None, str | None]


def phone_of(record: CustomerRecord) -> PhoneParts:
    return (
        record.phone_type,
        record.phone_ddi,
        record.phone_ddd,
        record.phone_number,
        record.phone_extension,
    )


def split_row(kind: str, ddi: str, ddd: str, number: str, extension: str) -> dict[Field, str]:
    return {
        Field.FULL_NAME: "Maria",
        Field.PHONE_TYPE: kind,
        Field.PHONE_DDI: ddi,
        Field.PHONE_DDD: ddd,
        Field.PHONE_NUMBER: number,
        Field.PHONE_EXTENSION: extension,
    }


def accepted(values: dict[Field, str]) -> PhoneParts:
    result = validate_row(values)
    assert result.record is not None, result.errors
    return phone_of(result.record)


def rejected(values: dict[Field, str]) -> list[tuple[Field | None, str]]:
    result = validate_row(values)
    assert result.record is None
    return [(error.field, error.code) for error in result.errors]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (("celular", "+55", "11", "98765-4321", ""), ("celular", "55", "11", "987654321", None)),
        (("Celular", "55", "(11)", "9 8765 4321", ""), ("celular", "55", "11", "987654321", None)),
        (("", "", "011", "98765.4321", ""), ("celular", "55", "11", "987654321", None)),
        (("", "", "21", "3333-3333", "123"), ("fixo", "55", "21", "33333333", "123")),
        (("FIXO", "+ 55", "48", "3222 1000", "12 34"), ("fixo", "55", "48", "32221000", "1234")),
        (("Móvel", "", "11", "987654321", ""), ("celular", "55", "11", "987654321", None)),
        (("movel", "", "11", "987654321", ""), ("celular", "55", "11", "987654321", None)),
        (("Cel.", "", "11", "987654321", ""), ("celular", "55", "11", "987654321", None)),
        (("mobile", "", "11", "987654321", ""), ("celular", "55", "11", "987654321", None)),
        (("CELL", "", "11", "987654321", ""), ("celular", "55", "11", "987654321", None)),
        (("Residencial", "", "11", "3333-3333", ""), ("fixo", "55", "11", "33333333", None)),
        (("comercial", "", "11", "3333-3333", ""), ("fixo", "55", "11", "33333333", None)),
        (("landline", "", "11", "3333-3333", ""), ("fixo", "55", "11", "33333333", None)),
        (("Fixed", "", "11", "3333-3333", ""), ("fixo", "55", "11", "33333333", None)),
        (("tel", "", "11", "5333-3333", ""), ("fixo", "55", "11", "53333333", None)),
        (("", "", "99", "2333-3333", ""), ("fixo", "55", "99", "23333333", None)),
        # The whole number typed in the number column, DDD column blank.
        (("", "", "", "(11) 98765-4321", ""), ("celular", "55", "11", "987654321", None)),
        (("", "", "", "+55 21 3333-3333", ""), ("fixo", "55", "21", "33333333", None)),
        # Foreign numbers are judged by phonenumbers; +1 does not tell mobile from landline.
        (("", "+1", "212", "555-1234", ""), (None, "1", "212", "5551234", None)),
        (("", "44", "20", "7946 0958", ""), ("fixo", "44", "20", "79460958", None)),
        (("", "+351", "", "912 345 678", ""), ("celular", "351", None, "912345678", None)),
    ],
)
def test_accepted_split_phone(cells: tuple[str, str, str, str, str], expected: PhoneParts) -> None:
    assert accepted(split_row(*cells)) == expected


@pytest.mark.parametrize(
    ("cells", "errors"),
    [
        (("pager", "", "11", "33333333", ""), [(Field.PHONE_TYPE, ErrorCode.PHONE_TYPE_INVALID)]),
        (("", "+5555", "11", "33333333", ""), [(Field.PHONE_DDI, ErrorCode.PHONE_DDI_INVALID)]),
        (("", "brasil", "11", "33333333", ""), [(Field.PHONE_DDI, ErrorCode.PHONE_DDI_INVALID)]),
        (("", "+0", "11", "33333333", ""), [(Field.PHONE_DDI, ErrorCode.PHONE_DDI_INVALID)]),
        (("", "999", "11", "33333333", ""), [(Field.PHONE_DDI, ErrorCode.PHONE_DDI_INVALID)]),
        (("", "", "1", "33333333", ""), [(Field.PHONE_DDD, ErrorCode.PHONE_DDD_INVALID)]),
        (("", "", "1a", "33333333", ""), [(Field.PHONE_DDD, ErrorCode.PHONE_DDD_INVALID)]),
        (("", "", "111", "33333333", ""), [(Field.PHONE_DDD, ErrorCode.PHONE_DDD_INVALID)]),
        (("", "", "10", "33333333", ""), [(Field.PHONE_DDD, ErrorCode.PHONE_DDD_UNKNOWN)]),
        (("", "", "20", "33333333", ""), [(Field.PHONE_DDD, ErrorCode.PHONE_DDD_UNKNOWN)]),
        (("", "", "52", "33333333", ""), [(Field.PHONE_DDD, ErrorCode.PHONE_DDD_UNKNOWN)]),
        (("", "", "11", "3333333", ""), [(Field.PHONE_NUMBER, ErrorCode.PHONE_NUMBER_INVALID)]),
        (("", "", "11", "3333-333a", ""), [(Field.PHONE_NUMBER, ErrorCode.PHONE_NUMBER_INVALID)]),
        (
            ("", "", "11", "8765-4321", ""),
            [(Field.PHONE_NUMBER, ErrorCode.PHONE_NUMBER_LANDLINE_FORMAT)],
        ),
        (
            ("", "", "11", "38765-4321", ""),
            [(Field.PHONE_NUMBER, ErrorCode.PHONE_NUMBER_MOBILE_FORMAT)],
        ),
        (
            ("celular", "", "11", "3333-3333", ""),
            [(Field.PHONE_NUMBER, ErrorCode.PHONE_NUMBER_MOBILE_FORMAT)],
        ),
        (
            ("fixo", "", "11", "98765-4321", ""),
            [(Field.PHONE_NUMBER, ErrorCode.PHONE_NUMBER_LANDLINE_FORMAT)],
        ),
        (
            ("fixo", "", "11", "6333-3333", ""),
            [(Field.PHONE_NUMBER, ErrorCode.PHONE_NUMBER_LANDLINE_FORMAT)],
        ),
        (("", "", "", "3333-3333", ""), [(Field.PHONE_DDD, ErrorCode.PHONE_DDD_REQUIRED)]),
        (("", "", "11", "", ""), [(Field.PHONE_NUMBER, ErrorCode.PHONE_NUMBER_REQUIRED)]),
        (("", "", "", "", "123"), [(Field.PHONE_NUMBER, ErrorCode.PHONE_NUMBER_REQUIRED)]),
        (
            ("", "", "11", "33333333", "1234567"),
            [(Field.PHONE_EXTENSION, ErrorCode.PHONE_EXTENSION_INVALID)],
        ),
        (
            ("", "", "11", "33333333", "12a"),
            [(Field.PHONE_EXTENSION, ErrorCode.PHONE_EXTENSION_INVALID)],
        ),
        (
            ("", "+44", "20", "1234", ""),
            [(Field.PHONE_NUMBER, ErrorCode.PHONE_NUMBER_FOREIGN_INVALID)],
        ),
        # Every problem is reported: the number is judged even when its DDD is wrong.
        (
            ("pager", "", "10", "8765-4321", "ramal"),
            [
                (Field.PHONE_TYPE, ErrorCode.PHONE_TYPE_INVALID),
                (Field.PHONE_DDD, ErrorCode.PHONE_DDD_UNKNOWN),
                (Field.PHONE_NUMBER, ErrorCode.PHONE_NUMBER_LANDLINE_FORMAT),
                (Field.PHONE_EXTENSION, ErrorCode.PHONE_EXTENSION_INVALID),
            ],
        ),
    ],
)
def test_rejected_split_phone(
    cells: tuple[str, str, str, str, str], errors: list[tuple[Field, str]]
) -> None:
    assert rejected(split_row(*cells)) == errors


def test_type_and_ddi_alone_describe_no_phone() -> None:
    assert accepted(split_row("celular", "+55", "", "", "")) == (None, None, None, None, None)


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("(11) 98765-4321", ("celular", "55", "11", "987654321", None)),
        ("+55 11 3333-3333", ("fixo", "55", "11", "33333333", None)),
        ("11-3333-3333", ("fixo", "55", "11", "33333333", None)),
        ("011 3333 3333", ("fixo", "55", "11", "33333333", None)),
        ("0xx11 3333-3333", ("fixo", "55", "11", "33333333", None)),
        ("+55 (11) 9 8765-4321", ("celular", "55", "11", "987654321", None)),
        ("5511987654321", ("celular", "55", "11", "987654321", None)),
        ("(55) 98765-4321", ("celular", "55", "55", "987654321", None)),
        ("(11) 3333-3333 ramal 21", ("fixo", "55", "11", "33333333", "21")),
        ("(11) 3333-3333 ext. 21", ("fixo", "55", "11", "33333333", "21")),
        ("+44 20 7946 0958", ("fixo", "44", "20", "79460958", None)),
        ("+1 212 555 1234", (None, "1", "212", "5551234", None)),
    ],
)
def test_accepted_single_phone_column(phone: str, expected: PhoneParts) -> None:
    assert accepted({Field.FULL_NAME: "Maria", Field.PHONE: phone}) == expected


@pytest.mark.parametrize(
    ("phone", "code"),
    [
        ("não tem", ErrorCode.PHONE_INVALID),
        ("3333-3333", ErrorCode.PHONE_DDD_REQUIRED),
        ("(10) 3333-3333", ErrorCode.PHONE_DDD_UNKNOWN),
        ("(11) 8765-4321", ErrorCode.PHONE_NUMBER_LANDLINE_FORMAT),
        ("(11) 98765-432", ErrorCode.PHONE_NUMBER_LANDLINE_FORMAT),
        ("(11) 98765-43210", ErrorCode.PHONE_NUMBER_INVALID),
        ("+44 20 1234", ErrorCode.PHONE_NUMBER_FOREIGN_INVALID),
    ],
)
def test_rejected_single_phone_column(phone: str, code: ErrorCode) -> None:
    assert rejected({Field.FULL_NAME: "Maria", Field.PHONE: phone}) == [(Field.PHONE, code)]


def test_an_unparseable_phone_shows_the_original_value() -> None:
    result = validate_row({Field.FULL_NAME: "Maria", Field.PHONE: " não tem "})

    assert result.errors[0].params == {"value": "não tem"}


def test_the_split_columns_win_over_a_single_phone_column() -> None:
    values = split_row("", "", "11", "98765-4321", "") | {Field.PHONE: "(21) 3333-3333"}

    assert accepted(values) == ("celular", "55", "11", "987654321", None)


def test_a_single_phone_column_fills_in_when_the_number_column_is_blank() -> None:
    values = split_row("fixo", "", "", "", "") | {Field.PHONE: "(21) 3333-3333"}

    assert accepted(values) == ("fixo", "55", "21", "33333333", None)


ddds = st.sampled_from([str(ddd) for ddd in BR_DDDS])
mobiles = st.text("0123456789", min_size=8, max_size=8).map(lambda rest: "9" + rest)
landlines = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("2345"),
    st.text("0123456789", min_size=7, max_size=7),
)


def whole_formats(ddd: str, number: str) -> list[str]:
    head, tail = number[:-4], number[-4:]
    return [
        f"({ddd}) {head}-{tail}",
        f"{ddd} {number}",
        f"{ddd}{number}",
        f"{ddd}-{head}-{tail}",
        f"0{ddd} {head} {tail}",
        f"+55 {ddd} {head}-{tail}",
        f"+55 ({ddd}) {head}-{tail}",
        f"+55{ddd}{number}",
        f"55 {ddd} {number}",
    ]


@given(data=st.data(), ddd=ddds, number=mobiles | landlines)
def test_a_valid_brazilian_number_splits_the_same_however_written(
    data: st.DataObject, ddd: str, number: str
) -> None:
    kind = "celular" if len(number) == 9 else "fixo"
    written = data.draw(st.sampled_from(whole_formats(ddd, number)))

    assert accepted({Field.FULL_NAME: "Maria", Field.PHONE: written}) == (
        kind, "55", ddd, number, None,
    )  # fmt: skip


@given(
    ddd=ddds,
    number=mobiles | landlines,
    ddd_written=st.sampled_from(["{}", "({})", "0{}", " {} "]),
    separator=st.sampled_from(["", "-", " ", "."]),
    ddi=st.sampled_from(["", "55", "+55"]),
)
def test_a_valid_brazilian_number_in_split_columns_splits_the_same(
    ddd: str, number: str, ddd_written: str, separator: str, ddi: str
) -> None:
    kind = "celular" if len(number) == 9 else "fixo"
    cells = (ddi, ddd_written.format(ddd), number[:-4] + separator + number[-4:])

    assert accepted(split_row("", *cells, "")) == (kind, "55", ddd, number, None)


LIBRARY_KIND = {
    phonenumbers.PhoneNumberType.MOBILE: "celular",
    phonenumbers.PhoneNumberType.FIXED_LINE: "fixo",
}


@given(ddd=ddds, number=mobiles | landlines)
def test_phonenumbers_agrees_with_every_valid_brazilian_number(ddd: str, number: str) -> None:
    parsed = phonenumbers.parse(f"+55{ddd}{number}")

    assert phonenumbers.is_valid_number(parsed)
    assert LIBRARY_KIND[phonenumbers.number_type(parsed)] == (
        "celular" if len(number) == 9 else "fixo"
    )


@given(ddd=st.integers(10, 99).map(str), number=st.text("0123456789", min_size=8, max_size=9))
def test_no_number_phonenumbers_rejects_is_accepted(ddd: str, number: str) -> None:
    result = validate_row(split_row("", "", ddd, number, ""))

    assert result.record is None or phonenumbers.is_valid_number(
        phonenumbers.parse(f"+55{ddd}{number}")
    )
