"""The retry / dead-letter policy, on faststream's in-memory test broker (pure logic)."""

from faststream.kafka import KafkaBroker, TestKafkaBroker
from pydantic import BaseModel

from shared.delivery import RetryPolicy, describe


class Ping(BaseModel):
    n: int


def broker_with_policy(dead: list[tuple[bytes, dict[str, str]]]) -> KafkaBroker:
    broker = KafkaBroker()

    async def sink(body: bytes, key: bytes | None, headers: dict[str, str]) -> None:
        dead.append((body, headers))

    broker.add_middleware(
        RetryPolicy(attempts=3, backoff_seconds=0, sink=sink, dead_letter_topic="dead")
    )
    return broker


async def test_a_transient_failure_is_retried_and_then_succeeds() -> None:
    dead: list[tuple[bytes, dict[str, str]]] = []
    broker = broker_with_policy(dead)
    calls: list[int] = []

    @broker.subscriber("in")
    async def handle(message: Ping) -> None:
        calls.append(message.n)
        if len(calls) < 3:
            raise ConnectionError("database restarting")

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(Ping(n=7), "in")
    assert calls == [7, 7, 7]
    assert dead == []


async def test_a_message_that_keeps_failing_goes_to_the_dead_letter_sink() -> None:
    dead: list[tuple[bytes, dict[str, str]]] = []
    broker = broker_with_policy(dead)
    calls: list[int] = []

    @broker.subscriber("in")
    async def handle(message: Ping) -> None:
        calls.append(message.n)
        raise ConnectionError("still down")

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(Ping(n=1), "in")
    assert calls == [1, 1, 1]
    ((body, headers),) = dead
    assert body == b'{"n":1}'
    assert headers["x-attempts"] == "3"
    assert headers["x-error-type"] == "ConnectionError"


async def test_a_message_that_breaks_the_schema_is_not_retried() -> None:
    dead: list[tuple[bytes, dict[str, str]]] = []
    broker = broker_with_policy(dead)

    @broker.subscriber("in")
    async def handle(message: Ping) -> None:
        raise AssertionError("never called")

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish({"n": "not a number", "email": "x@y.com"}, "in")
    ((_, headers),) = dead
    assert headers["x-attempts"] == "1"
    assert headers["x-error-type"] == "ValidationError"


def test_schema_errors_are_described_without_their_values() -> None:
    try:
        Ping.model_validate({"n": "maria@exemplo.com"})
    except ValueError as error:
        text = describe(error)
    assert "maria" not in text
    assert "at: n" in text


async def test_a_dead_letter_that_fails_again_is_not_dead_lettered_again() -> None:
    dead: list[tuple[bytes, dict[str, str]]] = []
    broker = broker_with_policy(dead)

    @broker.subscriber("dead")
    async def handle(message: Ping) -> None:
        raise ConnectionError("still down")

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(Ping(n=2), "dead")
    assert dead == []


async def test_each_record_of_a_failing_batch_becomes_its_own_dead_letter() -> None:
    dead: list[tuple[bytes, dict[str, str]]] = []
    broker = broker_with_policy(dead)

    @broker.subscriber("in", batch=True)
    async def handle(messages: list[Ping]) -> None:
        raise ConnectionError("still down")

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish_batch(Ping(n=1), Ping(n=2), topic="in")
    assert [body for body, _ in dead] == [b'{"n":1}', b'{"n":2}']
    assert {headers["x-attempts"] for _, headers in dead} == {"3"}
