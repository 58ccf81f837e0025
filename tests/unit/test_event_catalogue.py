import json

import pytest

from shared import topics
from shared.event_catalogue import CHANNELS, Channel, asyncapi_document
from tests.event_schemas import published_document, validator_for


def test_the_published_document_is_what_the_code_generates() -> None:
    generated = json.loads(json.dumps(asyncapi_document(), sort_keys=True))
    assert published_document() == generated, (
        "run: python -m shared.event_catalogue > docs/asyncapi.json"
    )


def test_every_topic_but_the_dead_letters_is_catalogued() -> None:
    assert {c.topic for c in CHANNELS} == set(topics.ALL_TOPICS) - {topics.DEAD_LETTER}


@pytest.mark.parametrize("channel", CHANNELS, ids=lambda c: c.topic)
def test_every_event_has_a_valid_example_and_its_version(channel: Channel) -> None:
    schema = published_document()["components"]["schemas"][channel.event.__name__]
    assert schema["properties"]["schema_version"]["default"] == 1
    (example,) = schema["examples"]
    validator_for(channel.event.__name__).validate(example)
    channel.event.model_validate(example)


def test_a_message_missing_its_envelope_is_refused() -> None:
    errors = list(validator_for("CustomerCreated").iter_errors({"customer_id": "x"}))
    assert {e.message for e in errors} >= {"'import_id' is a required property"}
