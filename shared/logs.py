"""Structured logs: one JSON object per line, the import id on every line, no personal data.

An operator follows one import across services with `import_id`; e-mails, CPF/CNPJ and phone
numbers never reach the logs, whichever library wrote the line.
"""

import logging
import os
import re
import sys
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import orjson
from faststream import BaseMiddleware

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
        # faststream's own "Processed" line is written after the handler's context is gone:
        # ImportContext leaves the import in that line's `extra` (faststream's log context).
        import_id = CURRENT_IMPORT.get() or getattr(record, "import_id", None)
        if import_id is not None:
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
    """Names the import a consumed message belongs to on every line written about it.

    faststream writes "Received" before any of our consume scopes run and "Processed" after
    they have ended, so the import is set as soon as the message arrives (from the raw
    record) and handed to faststream's log context for the lines written after it is reset.
    """

    _token: Token[str | None] | None = None

    async def on_receive(self) -> None:
        """Set the import from the raw record(s) before faststream logs "Received"."""
        self._token = CURRENT_IMPORT.set(import_of_records(self.msg))

    async def after_processed(
        self,
        exc_type: type[BaseException] | None = None,
        exc_val: BaseException | None = None,
        exc_tb: TracebackType | None = None,
    ) -> bool | None:
        """Leave the import in faststream's log context ("Processed"), then reset it."""
        import_id = CURRENT_IMPORT.get()
        log_context = self.context.get_local("log_context")
        if import_id is not None and isinstance(log_context, dict):
            log_context["import_id"] = import_id
        if self._token is not None:
            CURRENT_IMPORT.reset(self._token)
            self._token = None
        return False


def import_of_records(raw: Any) -> str | None:
    """The import a raw Kafka record belongs to; for a batch, the one import all of it is of.

    A batch that mixes imports names none (a line cannot tell which of them it is about).
    """
    records = raw if isinstance(raw, (tuple, list)) else (raw,)
    imports = {
        import_id_of(value)
        for r in records
        if isinstance(value := getattr(r, "value", None), bytes)
    }
    return imports.pop() if len(imports) == 1 else None
