"""A file with every kind of spreadsheet damage, read from the real S3 server: what is repaired,
what is explained, and the error file row by row."""

import csv
import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from minio import Minio

from services.aggregator.error_file import _encoded, error_file_lines
from services.validator.planning import FilePlan
from services.validator.row_validation import ImportRules, RangeValidation, RowBatch
from shared.csv_format import ScannedRecord, detect_dialect, scan_records
from shared.customer import CustomerRecord
from shared.rules.fields import Field
from shared.rules.validate import DEFAULT_REQUIRED
from shared.storage import stored_bytes, stored_records

# A free-form header (synonyms, English, abbreviations) in Windows-1252 with semicolons,
# as Excel in Brazil saves it.
HEADER = "Nome;Email;CPF/CNPJ;Telefone;CEP;UF;Obs\r\n"
ROWS = [
    "\u00a0João da Silva \u00a0;joao@exemplo.com.br;;;;;\r\n",  # 2 spaces Excel leaves behind
    "Ana Lima;;1234567890;;;;\r\n",  # 3 CPF that lost its leading zero
    "Bia Souza;;;;1310100;;\r\n",  # 4 CEP that lost its leading zero
    "Caio Reis;;1,23457E+10;;;;\r\n",  # 5 CPF formatted as a number
    "Davi Melo;;;(11) 98765-4321;;;\r\n",  # 6 a single phone column, three ways
    "Eva Rocha;;;+55 11 3333-3333;;;\r\n",  # 7
    "Fábio Nunes;;;11-3333-3333;;;\r\n",  # 8
    "Gil Alves;;;;;são paulo;\r\n",  # 9 the state by name
    "Hugo Dias; Hugo.Dias@Gmail.COM ;;;;;\r\n",  # 10 e-mail with spaces and capitals
    "Iara Costa;iara@@x;123;;;XX;\r\n",  # 11 three problems at once
    'Júlia Ramos;;;;;;"entregar à tarde; portão azul\r\nligar antes"\r\n',  # 12 ; and line break
    "Lia Prado;;;;;;Rua X; 10\r\n",  # 13 an unquoted delimiter inside a cell
    ";sem-nome@x.com;;;;;\r\n",  # 14 no name
]
RAW = (HEADER + "".join(ROWS)).encode("cp1252")
RULES = ImportRules(required=DEFAULT_REQUIRED)


def records(storage: Minio, bucket: str, key: str) -> Iterator[tuple[int, ScannedRecord]]:
    """The stored file's records as the aggregator reads them for the error file."""
    dialect = detect_dialect(RAW)
    with stored_bytes(storage, bucket, key) as binary:
        yield from ((number, record) for number, record, _ in scan_records(binary, dialect))


def validate_in_ranges(
    storage: Minio, bucket: str, key: str, range_bytes: int
) -> tuple[FilePlan, list[RowBatch]]:
    """As the validator does it: plan the stored file, then read each range on its own."""
    dialect = detect_dialect(RAW)
    with stored_bytes(storage, bucket, key) as binary:
        plan = FilePlan(scan_records(binary, dialect), dialect, RULES, range_bytes)
        ranges = list(plan.ranges())
    assert plan.header is not None
    batches: list[RowBatch] = []
    for cut in ranges:
        with stored_records(
            storage,
            bucket,
            key,
            dialect,
            start_byte=cut.start_byte,
            end_byte=cut.end_byte,
            first_record_no=cut.first_row_no,
        ) as stored:
            batches += RangeValidation(stored, plan.header, RULES, batch_size=5).batches()
    return plan, batches


# One range, and a range per few rows (ranged reads of the stored object, the multi-line cell
# of row 12 and the Windows-1252 bytes included).
@pytest.mark.parametrize("range_bytes", [16 * 1024 * 1024, 40])
def test_damage_is_repaired_or_explained_row_by_row(
    storage: Minio, bucket: str, range_bytes: int
) -> None:
    key = f"tests/{uuid.uuid4()}/damaged.csv"
    storage.put_object(bucket, key, io.BytesIO(RAW), len(RAW))
    dialect = detect_dialect(RAW)
    assert (dialect.encoding, dialect.delimiter) == ("cp1252", ";")

    plan, batches = validate_in_ranges(storage, bucket, key, range_bytes)
    valid = {
        row.row_no: CustomerRecord.model_validate(row.customer)
        for batch in batches
        for row in batch.valid
    }
    rejected = {o.row_no: o for batch in batches for o in batch.rejected}

    assert plan.total_rows == len(ROWS)
    assert plan.problems == []
    assert sum(batch.rows_seen for batch in batches) == len(ROWS)
    assert sorted(rejected) == [5, 11, 13, 14]
    assert valid[2].full_name == "João da Silva"
    assert (valid[3].document, valid[3].document_kind) == ("01234567890", "cpf")
    assert valid[4].postal_code == "01310100"
    phones = {
        n: (valid[n].phone_ddd, valid[n].phone_number, valid[n].phone_type) for n in (6, 7, 8)
    }
    assert phones == {
        6: ("11", "987654321", "celular"),
        7: ("11", "33333333", "fixo"),
        8: ("11", "33333333", "fixo"),
    }
    assert valid[9].state == "SP"
    assert valid[10].email == "hugo.dias@gmail.com"
    assert valid[12].notes == "entregar à tarde; portão azul\r\nligar antes"
    assert [e.code for e in rejected[11].errors] == [
        "email.invalid",
        "document.length",
        "state.invalid",
    ]
    # Errors name the columns as the user's header does.
    assert [e.column for e in rejected[11].errors] == ["Email", "CPF/CNPJ", "UF"]

    failures: list[tuple[int, list[dict[str, Any]]]] = [
        (n, [e.model_dump(mode="json") for e in rejected[n].errors]) for n in sorted(rejected)
    ]
    assert plan.header is not None
    columns = {Field(f): header for f, header in plan.header.columns.items()}
    lines = error_file_lines(
        records(storage, bucket, key),
        iter(failures),
        columns,
        "pt-BR",
        dialect=dialect,
    )
    raw = b"".join(_encoded(lines, dialect))
    rows = list(csv.reader(io.StringIO(raw.decode("cp1252"), newline=""), delimiter=";"))
    assert rows[0] == [*HEADER.strip().split(";"), "Erros"]
    # The user's own cells, untouched (the number-formatted CPF too), then why.
    assert rows[1][:-1] == ["Caio Reis", "", "1,23457E+10", "", "", "", ""]
    assert rows[1][-1].startswith("Linha 5: Coluna «CPF/CNPJ»")
    assert "Texto" in rows[1][-1]
    assert rows[2][:-1] == ["Iara Costa", "iara@@x", "123", "", "", "XX", ""]
    assert rows[2][-1].count("Coluna «") == 3
    assert rows[3][:-1] == ["Lia Prado", "", "", "", "", "", "Rua X", " 10"]
    assert "8 células" in rows[3][-1]
    assert rows[4][:-1] == ["", "sem-nome@x.com", "", "", "", "", ""]
    assert rows[4][-1].startswith("Linha 14: Coluna «Nome»")
    assert len(rows) == 5
