"""The rules' fast paths agree with the libraries they stand in for, on the same inputs."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.br import cnpj, cpf

from shared.rules.cleaning import _TRANSLATION, clean_cell
from shared.rules.fields import Field
from shared.rules.validate import (
    _CEP_SEPARATORS,
    _DOCUMENT_SEPARATORS,
    _PHONE_SEPARATORS,
    _is_cnpj,
    _is_cpf,
    _unreadable,
    _without_separators,
    validate_row,
)
from tests.unit.rules.brazil import cnpj_with_check_digits, cpf_with_check_digits

digits = st.text(alphabet="0123456789", min_size=11, max_size=11)
cnpj_digits = st.text(alphabet="0123456789", min_size=14, max_size=14)


def _same_digit(number: str) -> bool:
    return number == number[0] * len(number)


@settings(max_examples=3000)
@given(
    st.one_of(digits, st.integers(0, 10**9 - 1).map(lambda n: cpf_with_check_digits(f"{n:09d}")))
)
def test_cpf_fast_path_agrees_with_stdnum(number: str) -> None:
    assert _is_cpf(number) == (cpf.is_valid(number) and not _same_digit(number))


@settings(max_examples=3000)
@given(
    st.one_of(
        cnpj_digits,
        st.integers(0, 10**12 - 1).map(lambda n: cnpj_with_check_digits(f"{n:012d}")),
        st.integers(0, 99).map(lambda n: f"{'0' * 12}{n:02d}"),
    )
)
def test_cnpj_fast_path_agrees_with_stdnum(number: str) -> None:
    assert _is_cnpj(number) == (cnpj.is_valid(number) and not _same_digit(number))


def test_every_valid_cpf_and_cnpj_of_a_sweep_agrees() -> None:
    for base in range(0, 10**9, 7_919_999):
        number = cpf_with_check_digits(f"{base:09d}")
        assert _is_cpf(number) == (cpf.is_valid(number) and not _same_digit(number))
        assert _is_cpf(number[:-1] + str((int(number[-1]) + 1) % 10)) is False
    for base in range(0, 10**12, 7_919_999_999):
        number = cnpj_with_check_digits(f"{base:012d}")
        assert _is_cnpj(number) == (cnpj.is_valid(number) and not _same_digit(number))


cell_text = st.text(
    alphabet=st.sampled_from(list("aZ09 ,.+-eE\t\x00\u00a0\u200b\ufffdçÃ")), max_size=12
) | st.sampled_from(
    ["1,19876E+10", " 1E+5 ", "12e+3", "x E+ y", "\u200b 2E+10", "Ana", "1E+\x0010"]
)


@settings(max_examples=2000)
@given(cell_text)
def test_the_inlined_cell_clean_up_agrees_with_clean_cell(raw: str) -> None:
    # The row loop inlines clean_cell and _unreadable for ASCII cells; same outcome either way.
    value = clean_cell(raw)
    expected = _unreadable(Field.STREET, value) if value else None
    result = validate_row({Field.FULL_NAME: "Maria", Field.STREET: raw})
    street_errors = [error for error in result.errors if error.field is Field.STREET]
    if expected is not None:
        assert street_errors == [expected]
    elif value and len(value) <= 254:
        assert result.record is not None
        assert result.record.street == value
    elif not value:
        assert result.record is not None
        assert result.record.street is None


# Digits of several scripts, every separator a number may be written with, and the characters
# clean_cell removes or turns into spaces, among ordinary accented text.
any_cell = st.text(
    alphabet=st.sampled_from(
        list("0123456789²٣ -./()+Aa\u2010\u2013\u2212\x00\u00a0\u202f\u200b\u2060\ufeffçÃe\u0301")
    ),
    max_size=16,
) | st.text(max_size=16)


@settings(max_examples=3000)
@given(any_cell)
def test_clean_cell_agrees_with_translating_every_cell(raw: str) -> None:
    # clean_cell only translates a cell holding a zero-width or non-breaking space.
    expected = unicodedata.normalize("NFC", raw.translate(_TRANSLATION)).strip()
    assert clean_cell(raw) == expected


@settings(max_examples=3000)
@given(any_cell)
def test_skipping_the_separators_of_plain_digits_agrees_with_translating(raw: str) -> None:
    for separators in (_CEP_SEPARATORS, _DOCUMENT_SEPARATORS, _PHONE_SEPARATORS):
        assert _without_separators(raw, separators) == raw.translate(separators)
