import unicodedata

import pytest

from shared.rules.cleaning import clean_cell, fold_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Maria", "Maria"),
        ("  Maria  ", "Maria"),
        ("\tMaria\r\n", "Maria"),
        ("\u00a0Maria\u202f", "Maria"),
        ("\ufeffNome completo", "Nome completo"),
        ("\u200b\u00a0 Maria \u2060\u200d", "Maria"),
        ("Ma\u200bria", "Maria"),
        ("Ma\u200cri\u200da", "Maria"),
        ("Maria\u00a0da\u202fSilva", "Maria da Silva"),
        (unicodedata.normalize("NFD", "José Conceição"), "José Conceição"),
        ("", ""),
        ("   ", ""),
        ("\u00a0\u200b", ""),
        # NUL: padding of fixed-width exports, or debris; invisible, and PostgreSQL refuses it.
        ("Maria\x00\x00\x00", "Maria"),
        ("Ma\x00ria", "Maria"),
        ("\x00 José\x00 ", "José"),
        ("\x00", ""),
    ],
)
def test_clean_cell(raw: str, expected: str) -> None:
    cleaned = clean_cell(raw)

    assert cleaned == expected
    assert unicodedata.is_normalized("NFC", cleaned)


def test_clean_cell_returns_a_clean_ascii_value_unchanged() -> None:
    value = "maria@example.com"

    assert clean_cell(value) is value


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Código do País", "codigodopais"),
        ("  NOME   COMPLETO ", "nomecompleto"),
        ("E-MAIL", "email"),
        ("CPF/CNPJ", "cpfcnpj"),
        ("Nº", "no"),
        ("Observações:", "observacoes"),
        ("MÓVEL", "movel"),
    ],
)
def test_fold_key_ignores_case_accents_punctuation_and_spaces(raw: str, expected: str) -> None:
    assert fold_key(raw) == expected
