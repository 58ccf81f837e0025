"""Structured logs: one JSON object per line, the import id on every line, no personal data.

An operator follows one import across services with `import_id`; e-mails, CPF/CNPJ and phone
numbers never reach the logs, whichever library wrote the line.
"""

import logging
import os
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson
from faststream import BaseMiddleware
from faststream.message import StreamMessage

from shared.events import import_id_of

CURRENT_IMPORT: ContextVar[str | None] = ContextVar("current_import", default=None)

_EMAIL = re.compile(r"\b([\w.+-])[\w.+-]*@([\w-])[\w.-]*\.(\w+)\b")
# CPF/CNPJ with or without punctuation, alphanumeric CNPJ included; phones with 8+ digits.
_DOCUMENT = re.compile(
    r"\b(?:\d{3}\.?\d{3}\.?\d{3}-?\d{2}|[\dA-Z]{2}\.?[\dA-Z]{3}\.?[\dA-Z]{3}/?[\dA-Z]{4}-?\d{2})\b"
)
_PHONE = re.compile(r"(?<![\w-])\+?(?:\(?\d{2,3}\)?[\s.-]?)?9?\d{4}[\s.-]?\d{4}\b")
# Ids and offsets in our own lines are not personal data: UUIDs are left alone.
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


def mask_personal_data(text: str) -> str:
    """Replace e-mails, CPF/CNPJ and phone numbers with masked forms."""
    uuids = _UUID.findall(text)
    masked = _UUID.sub("\x00", text)
    masked = _EMAIL.sub(r"\1***@\2***.\3", masked)
    masked = _DOCUMENT.sub("[documento]", masked)
    masked = _PHONE.sub("[telefone]", masked)
    for uuid in uuids:
        masked = masked.replace("\x00", uuid, 1)
    return masked


class JsonFormatter(logging.Formatter):
    """A log record as one JSON line, masked, with the current import."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": mask_personal_data(record.getMessage()),
        }
        if (import_id := CURRENT_IMPORT.get()) is not None:
            line["import_id"] = import_id
        if record.exc_info:
            line["error"] = mask_personal_data(self.formatException(record.exc_info))
        return orjson.dumps(line).decode()


def configure_logging(service: str) -> None:
    """Send every logger's records, as JSON lines, to standard output (LOG_LEVEL, default INFO)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    # Libraries that bring their own handlers (colours, plain text) write through ours instead.
    for name in ("faststream", "faststream.access", "uvicorn", "uvicorn.error", "uvicorn.access"):
        library_logger = logging.getLogger(name)
        library_logger.handlers.clear()
        library_logger.propagate = True


class ImportContext(BaseMiddleware):
    """Sets the import a consumed message belongs to, for every log line written meanwhile."""

    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        token = CURRENT_IMPORT.set(import_id_of(msg.body))
        try:
            return await call_next(msg)
        finally:
            CURRENT_IMPORT.reset(token)
