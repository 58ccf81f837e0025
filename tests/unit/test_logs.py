import io
import json
import logging
from types import SimpleNamespace

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker

from shared.logs import ImportContext, JsonFormatter, import_of_records, mask_personal_data


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("duplicate key (email)=(maria.silva@gmail.com)", "maria.silva@gmail.com"),
        ("CPF 390.533.447-05 inválido", "390.533.447-05"),
        ("CPF 39053344705 inválido", "39053344705"),
        ("CNPJ 11.222.333/0001-81", "11.222.333/0001-81"),
        ("CNPJ 12ABC34501DE35", "12ABC34501DE35"),
        ("telefone (11) 98765-4321", "98765-4321"),
        ("telefone +55 11 3333-3333", "3333-3333"),
    ],
)
def test_personal_data_is_masked(text: str, hidden: str) -> None:
    assert hidden not in mask_personal_data(text)


def test_ids_and_counts_stay_readable() -> None:
    # faststream names a message "partition-offset"; a bare 8-9 digit run may be a phone.
    line = "import 0b9e7c52-41d8-4f2a-9a63-5c1e8d7f2b40: 300 rows, batch 2-501, message 0-17953058"
    assert mask_personal_data(line) == line


async def test_every_line_of_a_consumed_message_carries_its_import() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test"))
    logger = logging.getLogger("tests.import-context")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    broker = KafkaBroker()
    broker.add_middleware(ImportContext)

    @broker.subscriber("in")
    async def handle(body: dict[str, str]) -> None:
        logger.info("row from %s rejected", body["email"])

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish({"import_id": "imp-1", "email": "ana@x.com"}, "in")
    (line,) = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["import_id"] == "imp-1"
    assert line["service"] == "test"
    assert "ana@x.com" not in line["message"]


def record(body: bytes) -> SimpleNamespace:
    return SimpleNamespace(value=body, topic="t", partition=0, offset=1)


def test_a_batch_of_one_import_names_it_and_a_mixed_batch_names_none() -> None:
    one = (record(b'{"import_id": "imp-1"}'), record(b'{"import_id": "imp-1", "row_no": 3}'))
    mixed = (record(b'{"import_id": "imp-1"}'), record(b'{"import_id": "imp-2"}'))
    assert import_of_records(record(b'{"import_id": "imp-1"}')) == "imp-1"
    assert import_of_records(one) == "imp-1"
    assert import_of_records(mixed) is None
    assert import_of_records(record(b"not json")) is None
