"""Tests of the seeded customer CSV generator (bench/customers_file.py)."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from stdnum.br import cnpj, cpf
from stdnum.exceptions import InvalidChecksum

from bench.customers_file import (
    ROW_NUMBERS_LIMIT,
    BrokenKind,
    GenerationSummary,
    cnpj_check_digits,
    cpf_check_digits,
    generate,
    main,
)
from shared.rules.fields import TEMPLATE_FIELDS, TEMPLATE_HEADERS, Field

HEADER = [TEMPLATE_HEADERS[f] for f in TEMPLATE_FIELDS]
COLUMN = {f: i for i, f in enumerate(TEMPLATE_FIELDS)}
UFS = {
    "AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA", "PB",
    "PR", "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO",
}  # fmt: skip
# Every DDD assigned by Anatel.
DDDS = {
    *map(str, range(11, 20)), "21", "22", "24", "27", "28", *map(str, range(31, 36)), "37",
    "38", *map(str, range(41, 50)), "51", "53", "54", "55", *map(str, range(61, 70)), "71",
    "73", "74", "75", "77", "79", *map(str, range(81, 90)), *map(str, range(91, 100)),
}  # fmt: skip
EMAIL = re.compile(r"[a-z0-9._]+@[a-z0-9]+(\.[a-z0-9]+)+")
SAMPLE_ROWS = 3_000


def _generate(**kwargs: Any) -> tuple[bytes, GenerationSummary]:
    """Generate into memory; rows and seed default to a small file."""
    out = io.BytesIO()
    summary = generate(out, **{"rows": 500, "seed": 7, **kwargs})
    return out.getvalue(), summary


def _records(data: bytes, encoding: str = "utf-8-sig", delimiter: str = ";") -> list[list[str]]:
    """The file parsed back with the csv module, header first."""
    return list(csv.reader(io.StringIO(data.decode(encoding), newline=""), delimiter=delimiter))


def _cell(record: list[str], field: Field) -> str:
    """The cell of `field` in a parsed record."""
    return record[COLUMN[field]]


@pytest.fixture(scope="module")
def sample() -> tuple[bytes, GenerationSummary]:
    """A file with plenty of broken and duplicate rows, shared by the read-only tests."""
    return _generate(rows=SAMPLE_ROWS, seed=2026, broken_ratio=0.1, duplicate_ratio=0.03)


@pytest.fixture(scope="module")
def records(sample: tuple[bytes, GenerationSummary]) -> list[list[str]]:
    """The sample file parsed back."""
    return _records(sample[0])


def _row(records: list[list[str]], row_number: int) -> list[str]:
    """The record a spreadsheet shows on `row_number` (header = 1)."""
    return records[row_number - 1]


def _broken_numbers(summary: GenerationSummary) -> set[int]:
    """Row numbers of every broken row."""
    return {n for numbers in summary.broken_row_numbers.values() for n in numbers}


def _valid_records(records: list[list[str]], summary: GenerationSummary) -> list[list[str]]:
    """Records of rows that are neither broken nor duplicates."""
    excluded = (
        _broken_numbers(summary)
        | set(summary.duplicate_email_row_numbers)
        | set(summary.duplicate_external_code_row_numbers)
    )
    return [r for n, r in enumerate(records[1:], start=2) if n not in excluded]


def test_same_seed_gives_identical_bytes() -> None:
    first, _ = _generate(seed=11)
    second, _ = _generate(seed=11)
    assert first == second


def test_different_seed_gives_different_bytes() -> None:
    first, _ = _generate(seed=11)
    second, _ = _generate(seed=12)
    assert first != second


def test_summary_counts_add_up(sample: tuple[bytes, GenerationSummary]) -> None:
    _, summary = sample
    duplicates = summary.duplicate_email_rows + summary.duplicate_external_code_rows
    assert summary.rows == SAMPLE_ROWS
    assert summary.broken_rows == sum(summary.broken_by_kind.values())
    assert summary.expected_valid == summary.rows - summary.broken_rows - duplicates
    assert set(summary.broken_by_kind) == {k.value for k in BrokenKind}
    for kind, count in summary.broken_by_kind.items():
        assert len(summary.broken_row_numbers[kind]) == count
    assert len(summary.duplicate_email_row_numbers) == summary.duplicate_email_rows
    assert len(summary.duplicate_external_code_row_numbers) == summary.duplicate_external_code_rows


def test_broken_and_duplicate_rows_are_spread_and_disjoint(
    sample: tuple[bytes, GenerationSummary],
) -> None:
    _, summary = sample
    broken = _broken_numbers(summary)
    email_duplicates = set(summary.duplicate_email_row_numbers)
    code_duplicates = set(summary.duplicate_external_code_row_numbers)
    assert len(broken) == summary.broken_rows
    assert not broken & (email_duplicates | code_duplicates)
    assert not email_duplicates & code_duplicates
    assert all(2 <= n <= SAMPLE_ROWS + 1 for n in broken | email_duplicates | code_duplicates)
    # 10 % broken in equal shares and 3 % duplicates (3 e-mail : 1 code), spread over the file.
    assert abs(summary.broken_rows - 0.1 * SAMPLE_ROWS) <= 1
    assert max(summary.broken_by_kind.values()) - min(summary.broken_by_kind.values()) <= 1
    assert abs(len(email_duplicates | code_duplicates) - 0.03 * SAMPLE_ROWS) <= 2
    assert abs(summary.duplicate_email_rows - 3 * summary.duplicate_external_code_rows) <= 3
    half = SAMPLE_ROWS // 2
    assert min(broken) < half < max(broken)
    assert min(email_duplicates | code_duplicates) < half < max(email_duplicates | code_duplicates)


def test_file_parses_back_into_header_and_rows(
    sample: tuple[bytes, GenerationSummary], records: list[list[str]]
) -> None:
    data, summary = sample
    assert len(records) == summary.rows + 1
    assert records[0] == HEADER
    assert all(len(r) == len(TEMPLATE_HEADERS) for r in records)
    # Some notes hold a line break inside a quoted cell, so there are more lines than records.
    multiline = [r for r in records if "\n" in _cell(r, Field.NOTES)]
    assert multiline
    assert data.count(b"\r\n") == len(records)
    assert data.count(b"\n") > len(records)


def test_cells_with_delimiters_and_quotes_round_trip(records: list[list[str]]) -> None:
    notes = {_cell(r, Field.NOTES) for r in records[1:]}
    assert any(";" in n for n in notes)
    assert any("," in n for n in notes)
    assert any('"' in n for n in notes)


def test_valid_documents_pass_stdnum(
    sample: tuple[bytes, GenerationSummary], records: list[list[str]]
) -> None:
    documents = [_cell(r, Field.DOCUMENT) for r in _valid_records(records, sample[1])]
    cpfs = [d for d in documents if len(cpf.compact(d)) == 11]
    cnpjs = [d for d in documents if len(cnpj.compact(d)) == 14]
    assert all(cpf.is_valid(d) for d in cpfs)
    assert all(cnpj.is_valid(d) for d in cnpjs)
    assert len(cpfs) + len(cnpjs) + documents.count("") == len(documents)
    # Roughly 70 % CPF, 25 % CNPJ, 5 % none, written with and without punctuation.
    assert 0.6 < len(cpfs) / len(documents) < 0.8
    assert 0.17 < len(cnpjs) / len(documents) < 0.33
    assert any("." in d for d in cpfs)
    assert any(d.isdigit() for d in cpfs)
    assert any("/" in d for d in cnpjs)
    assert any(d.isdigit() for d in cnpjs)


def test_documents_are_unique(records: list[list[str]]) -> None:
    documents = [cnpj.compact(_cell(r, Field.DOCUMENT)) for r in records[1:]]
    real = [d for d in documents if d.isdigit()]
    assert len(set(real)) == len(real)


@pytest.mark.parametrize(
    ("kind", "module"),
    [(BrokenKind.CPF_WRONG_CHECK_DIGITS, cpf), (BrokenKind.CNPJ_WRONG_CHECK_DIGITS, cnpj)],
)
def test_wrong_check_digit_rows_fail_stdnum(
    sample: tuple[bytes, GenerationSummary],
    records: list[list[str]],
    kind: BrokenKind,
    module: Any,
) -> None:
    numbers = sample[1].broken_row_numbers[kind]
    assert numbers
    for n in numbers:
        with pytest.raises(InvalidChecksum):
            module.validate(_cell(_row(records, n), Field.DOCUMENT))


def test_check_digits_match_stdnum() -> None:
    rng = random.Random(3)
    for _ in range(5_000):
        base = rng.randrange(10**9)
        assert f"{cpf_check_digits(base):02d}" == cpf._calc_check_digits(f"{base:09d}")
        number = rng.randrange(10**12)
        assert f"{cnpj_check_digits(number):02d}" == cnpj.calc_check_digits(f"{number:012d}")


def test_valid_rows_follow_the_field_rules(
    sample: tuple[bytes, GenerationSummary], records: list[list[str]]
) -> None:
    for record in _valid_records(records, sample[1]):
        cell = dict(zip(TEMPLATE_FIELDS, record, strict=True))
        assert 0 < len(cell[Field.FULL_NAME]) < 255
        assert cell[Field.EMAIL] == "" or EMAIL.fullmatch(cell[Field.EMAIL])
        assert cell[Field.PHONE_TYPE] in {"celular", "fixo", ""}
        assert cell[Field.PHONE_DDI] in {"+55", ""}
        assert cell[Field.PHONE_DDD] in DDDS | {""}
        number = cell[Field.PHONE_NUMBER]
        if cell[Field.PHONE_TYPE] == "celular":
            assert re.fullmatch(r"9\d{8}", number)
        elif cell[Field.PHONE_TYPE] == "fixo":
            assert re.fullmatch(r"[2-5]\d{7}", number)
        else:
            assert number == cell[Field.PHONE_DDD] == ""
        assert re.fullmatch(r"\d{0,6}", cell[Field.PHONE_EXTENSION])
        assert re.fullmatch(r"(\d{5}-?\d{3})?", cell[Field.POSTAL_CODE])
        assert cell[Field.STATE] in UFS | {""}
        assert bool(cell[Field.CITY]) == bool(cell[Field.STATE]) == bool(cell[Field.STREET])
        assert re.fullmatch(r"(CLI-\d{6,})?", cell[Field.EXTERNAL_CODE])


def test_data_looks_brazilian(records: list[list[str]]) -> None:
    text = "\n".join(";".join(r) for r in records)
    for accented in ("ã", "ç", "é", "ô", "í", "ú"):
        assert accented in text
    emails = [_cell(r, Field.EMAIL) for r in records[1:]]
    assert any(e.endswith("@gmail.com") for e in emails)
    assert any(e.endswith(".com.br") for e in emails)
    assert 0.85 < sum(1 for e in emails if e) / len(emails) < 0.98
    assert any(_cell(r, Field.PHONE_EXTENSION) for r in records[1:])


def test_broken_rows_show_their_problem(
    sample: tuple[bytes, GenerationSummary], records: list[list[str]]
) -> None:
    numbers = sample[1].broken_row_numbers

    def rows_of(kind: BrokenKind) -> list[list[str]]:
        return [_row(records, n) for n in numbers[kind]]

    assert all(_cell(r, Field.FULL_NAME) == "" for r in rows_of(BrokenKind.MISSING_FULL_NAME))
    assert all(
        len(_cell(r, Field.FULL_NAME)) == 300 for r in rows_of(BrokenKind.FULL_NAME_TOO_LONG)
    )
    for record in rows_of(BrokenKind.INVALID_EMAIL):
        assert not EMAIL.fullmatch(_cell(record, Field.EMAIL))
    assert all(
        re.fullmatch(r"\d,\d{5}E\+10", _cell(r, Field.DOCUMENT))
        for r in rows_of(BrokenKind.CPF_SCIENTIFIC_NOTATION)
    )
    assert all(_cell(r, Field.STATE) == "XX" for r in rows_of(BrokenKind.INVALID_STATE))
    assert all(
        _cell(r, Field.POSTAL_CODE) == "1234-5" for r in rows_of(BrokenKind.INVALID_POSTAL_CODE)
    )
    assert all(
        len(_cell(r, Field.PHONE_NUMBER)) == 7 for r in rows_of(BrokenKind.PHONE_SEVEN_DIGITS)
    )
    for record in rows_of(BrokenKind.INVALID_DDD):
        assert (_cell(record, Field.PHONE_DDI), _cell(record, Field.PHONE_DDD)) == ("+55", "20")
    for record in rows_of(BrokenKind.SEVERAL_PROBLEMS):
        assert not EMAIL.fullmatch(_cell(record, Field.EMAIL))
        assert _cell(record, Field.STATE) == "XX"
        assert _cell(record, Field.POSTAL_CODE) == "1234-5"


def test_emails_collide_only_on_reported_duplicates(
    sample: tuple[bytes, GenerationSummary], records: list[list[str]]
) -> None:
    seen: dict[str, str] = {}
    colliding = []
    for n, record in enumerate(records[1:], start=2):
        email = _cell(record, Field.EMAIL)
        if not email:
            continue
        if email.casefold() in seen:
            colliding.append(n)
            # The second registration differs in letter case only.
            assert email != seen[email.casefold()]
        else:
            seen[email.casefold()] = email
    assert colliding == list(sample[1].duplicate_email_row_numbers)


def test_external_codes_collide_only_on_reported_duplicates(
    sample: tuple[bytes, GenerationSummary], records: list[list[str]]
) -> None:
    seen: set[str] = set()
    colliding = []
    for n, record in enumerate(records[1:], start=2):
        code = _cell(record, Field.EXTERNAL_CODE)
        if code in seen:
            colliding.append(n)
        elif code:
            seen.add(code)
    assert colliding == list(sample[1].duplicate_external_code_row_numbers)


def test_cp1252_output_decodes_with_accents() -> None:
    data, summary = _generate(encoding="cp1252")
    text = data.decode("cp1252")
    assert not text.startswith("\ufeff")
    assert "ç" in text
    assert "ã" in text
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert len(_records(data, encoding="cp1252")) == summary.rows + 1


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8-sig", True), ("utf-8", False)])
def test_utf8_output_has_bom_only_for_utf8_sig(encoding: str, bom: bool) -> None:
    data, _ = _generate(encoding=encoding)
    assert data.startswith(b"\xef\xbb\xbf") is bom
    assert data.decode(encoding).startswith("Nome completo;")


def test_comma_delimiter_quotes_cells_with_commas() -> None:
    data, summary = _generate(delimiter=",", broken_ratio=0.2)
    records = _records(data, delimiter=",")
    assert len(records) == summary.rows + 1
    assert all(len(r) == len(TEMPLATE_HEADERS) for r in records)
    scientific = summary.broken_row_numbers[BrokenKind.CPF_SCIENTIFIC_NOTATION]
    assert scientific
    assert all("," in _cell(_row(records, n), Field.DOCUMENT) for n in scientific)


def test_caller_stream_stays_open() -> None:
    out = io.BytesIO()
    generate(out, rows=10, seed=1)
    assert not out.closed
    out.write(b"more")


def test_large_files_keep_counts_but_not_row_numbers() -> None:
    _, summary = _generate(rows=ROW_NUMBERS_LIMIT + 1, broken_ratio=0.05, duplicate_ratio=0.02)
    assert summary.broken_rows > 0
    assert summary.duplicate_email_rows > 0
    assert not any(summary.broken_row_numbers.values())
    assert summary.duplicate_email_row_numbers == ()
    assert summary.duplicate_external_code_row_numbers == ()


def test_zero_rows_writes_the_header_only() -> None:
    data, summary = _generate(rows=0)
    assert _records(data) == [HEADER]
    assert summary.expected_valid == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rows": -1},
        {"encoding": "latin-1"},
        {"delimiter": ";;"},
        {"delimiter": '"'},
        {"broken_ratio": 1.5},
        {"broken_ratio": 0.6, "duplicate_ratio": 0.6},
    ],
)
def test_rejects_arguments_that_cannot_give_a_sound_file(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must"):
        _generate(**kwargs)


def test_cli_writes_the_file_and_prints_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "customers.csv"
    assert main([str(out), "--rows", "50", "--seed", "5", "--encoding", "cp1252"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected, summary = _generate(rows=50, seed=5, encoding="cp1252")
    assert out.read_bytes() == expected
    assert printed == summary.as_dict()
