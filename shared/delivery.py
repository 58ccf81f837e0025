"""Retry transient failures a few times, then park the message on the dead-letter topic.

Kafka has no delivery count, so a message that fails forever would block its partition:
after the last attempt the raw message goes to DEAD_LETTER (with why, and where it came
from) and is acked. A message that can never succeed (its body does not match the schema)
skips the retries.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import BaseMiddleware
from faststream._internal.context.repository import ContextRepo
from faststream.message import StreamMessage
from pydantic import ValidationError

logger = logging.getLogger(__name__)

DeadLetterSink = Callable[[bytes, bytes | None, dict[str, str]], Awaitable[None]]

PERMANENT_ERRORS: tuple[type[BaseException], ...] = (ValidationError, UnicodeDecodeError)


class RetryPolicy:
    """A faststream middleware factory: attempts, backoff, and where dead letters go."""

    def __init__(
        self,
        *,
        attempts: int,
        backoff_seconds: float,
        sink: DeadLetterSink,
        dead_letter_topic: str,
    ) -> None:
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.sink = sink
        self.dead_letter_topic = dead_letter_topic

    def __call__(self, msg: Any, /, *, context: ContextRepo) -> "RetryThenDeadLetter":
        return RetryThenDeadLetter(msg, context=context, policy=self)


class RetryThenDeadLetter(BaseMiddleware):
    """Runs the handler up to `attempts` times; then the message goes to the dead-letter sink."""

    def __init__(self, msg: Any, /, *, context: ContextRepo, policy: RetryPolicy) -> None:
        super().__init__(msg, context=context)
        self.policy = policy

    async def consume_scope(
        self, call_next: Callable[[StreamMessage[Any]], Awaitable[Any]], msg: StreamMessage[Any]
    ) -> Any:
        for attempt in range(1, self.policy.attempts + 1):
            try:
                return await call_next(msg)
            except PERMANENT_ERRORS as error:
                return await self._dead_letter(msg, error, attempt)
            except Exception as error:
                if attempt == self.policy.attempts:
                    return await self._dead_letter(msg, error, attempt)
                logger.warning(
                    "handler failed (attempt %d of %d), retrying: %s",
                    attempt,
                    self.policy.attempts,
                    describe(error),
                )
                await asyncio.sleep(self.policy.backoff_seconds * 2 ** (attempt - 1))
        return None

    async def _dead_letter(
        self, msg: StreamMessage[Any], error: BaseException, attempt: int
    ) -> None:
        raw = msg.raw_message
        # A batch subscriber's message holds a sequence of records (a tuple from aiokafka, a list
        # from the test broker): each becomes its own dead letter.
        batch = isinstance(raw, tuple | list)
        records = raw if batch else (raw,)
        bodies = msg.body if batch else [msg.body]
        for record, body in zip(records, bodies, strict=True):
            await self._dead_letter_one(record, body, error, attempt)

    async def _dead_letter_one(
        self, record: Any, body: bytes, error: BaseException, attempt: int
    ) -> None:
        headers = {
            "x-error-type": type(error).__name__,
            "x-error": describe(error)[:2000],
            "x-attempts": str(attempt),
            "x-source-topic": str(getattr(record, "topic", "")),
            "x-source-partition": str(getattr(record, "partition", "")),
            "x-source-offset": str(getattr(record, "offset", "")),
        }
        logger.error(
            "message dead-lettered after %d attempt(s) from %s[%s]@%s: %s",
            attempt,
            headers["x-source-topic"],
            headers["x-source-partition"],
            headers["x-source-offset"],
            headers["x-error"],
        )
        if headers["x-source-topic"] == self.policy.dead_letter_topic:
            return  # a dead letter that fails again stays where it is: no loop
        await self.policy.sink(body, getattr(record, "key", None), headers)


def describe(error: BaseException) -> str:
    """The error in one line, without the values a schema error would quote (personal data)."""
    if isinstance(error, ValidationError):
        fields = ", ".join(".".join(map(str, item["loc"])) for item in error.errors())
        return f"{error.error_count()} schema error(s) at: {fields}"
    return f"{type(error).__name__}: {error}"
