"""The file of an upload request: the raw body, or the file part of a multipart/form-data form.

Either way the bytes are handed on as they arrive: a multipart body goes through a streaming
parser (python-multipart's callback parser) in the same single pass that stores and
pre-checks the file, so a form upload is never buffered nor spooled to disk.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from services.upload.problems import ApiProblemError
from shared.file_problems import FileProblem, Locale, render_problem

# The form's other fields are a few bytes; a request that sends more before or beside the
# file is not an upload form.
_MAX_OTHER_FIELD_BYTES = 64 * 1024
# What a form adds around the file (boundaries, part headers): allowed beyond the size limit.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class UploadBody:
    """The uploaded file's name and its bytes, as they arrive."""

    file_name: str
    chunks: AsyncIterator[bytes]


def is_multipart(request: Request) -> bool:
    """Whether the request is an HTML-style form upload."""
    content_type, _ = parse_options_header(request.headers.get("content-type"))
    return content_type == b"multipart/form-data"


async def read_upload(
    request: Request, file_name: str | None, locale: Locale, *, max_bytes: int
) -> UploadBody:
    """The file of the request: the body itself, or the first file part of a form.

    A body whose declared length is already over `max_bytes` is refused unread (413); one that
    only turns out too large while streaming is refused by whoever counts its chunks.
    """
    if _declared_too_large(request, max_bytes):
        raise too_large(max_bytes, locale)
    if not is_multipart(request):
        if file_name is None:
            raise _problem(422, FileProblem(code="upload.file_name_missing"), locale)
        return UploadBody(file_name=file_name, chunks=request.stream())
    _, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    if not boundary:
        raise _bad_form("Content-Type without boundary", locale)
    reader = _FilePart(boundary, locale)
    stream = request.stream().__aiter__()
    found_name = await reader.until_file(stream)
    return UploadBody(file_name=file_name or found_name, chunks=reader.file_chunks(stream))


def _problem(status: int, problem: FileProblem, locale: Locale) -> ApiProblemError:
    return ApiProblemError(status, problem.code, render_problem(problem, locale))


def _bad_form(detail: str, locale: Locale) -> ApiProblemError:
    problem = FileProblem(code="upload.bad_multipart", params={"detail": detail})
    return _problem(400, problem, locale)


@dataclass
class _FilePart:
    """Feeds a multipart body to the streaming parser and keeps only the file part's bytes."""

    boundary: bytes
    locale: Locale
    file_name: str | None = None
    in_file: bool = False
    file_done: bool = False
    pending: list[bytes] = field(default_factory=list)
    other_bytes: int = 0
    _header_name: bytearray = field(default_factory=bytearray)
    _header_value: bytearray = field(default_factory=bytearray)
    _headers: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.parser = MultipartParser(
            self.boundary,
            callbacks={
                "on_part_begin": self._part_begin,
                "on_header_field": lambda data, start, end: self._header_name.extend(
                    data[start:end]
                ),
                "on_header_value": lambda data, start, end: self._header_value.extend(
                    data[start:end]
                ),
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
            },
        )

    async def until_file(self, stream: AsyncIterator[bytes]) -> str:
        """Read the body until the file part starts; its file name."""
        async for chunk in stream:
            self._write(chunk)
            if self.file_name is not None:
                return self.file_name
        raise _problem(422, FileProblem(code="upload.no_file"), self.locale)

    async def file_chunks(self, stream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """The file part's bytes as they are parsed; the rest of the form is read and dropped."""
        if self.pending:
            yield self._take()
        async for chunk in stream:
            self._write(chunk)
            if self.pending:
                yield self._take()
        if not self.file_done:
            raise _bad_form("the body ended inside the file: the upload was cut short", self.locale)

    def _take(self) -> bytes:
        data = b"".join(self.pending)
        self.pending.clear()
        return data

    def _write(self, chunk: bytes) -> None:
        try:
            self.parser.write(chunk)
        except FormParserError as error:
            raise _bad_form(str(error), self.locale) from error
        if self.other_bytes > _MAX_OTHER_FIELD_BYTES:
            raise _bad_form("fields besides the file over 64 KiB", self.locale)

    def _part_begin(self) -> None:
        self._headers.clear()

    def _header_end(self) -> None:
        self._headers[self._header_name.decode("latin-1").lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def _headers_finished(self) -> None:
        disposition = self._headers.get("content-disposition", b"").decode("latin-1")
        _, options = parse_options_header(disposition)
        name = options.get(b"filename")
        # The first part that carries a file (a browser names the field, curl -F file=@…).
        if name is not None and self.file_name is None:
            # Some browsers send the whole path; the name is what the user recognises.
            base = name.decode("utf-8", errors="replace").replace("\\", "/").rsplit("/", 1)[-1]
            self.file_name = base[:255] or "arquivo.csv"
            self.in_file = True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.in_file:
            self.pending.append(data[start:end])
        else:
            self.other_bytes += end - start

    def _part_end(self) -> None:
        if self.in_file:
            self.in_file = False
            self.file_done = True


def too_large(limit_bytes: int, locale: Locale) -> ApiProblemError:
    """The 413 of a file past the size limit, saying the limit."""
    limit = f"{limit_bytes / 1024**3:g} GB" if limit_bytes >= 1024**3 else f"{limit_bytes} bytes"
    problem = FileProblem(code="file.too_large", params={"limit": limit})
    return ApiProblemError(413, "file.too_large", render_problem(problem, locale))


def _declared_too_large(request: Request, limit_bytes: int) -> bool:
    """Whether the declared length already says the file is over the limit (refused unread)."""
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        return False
    allowance = MULTIPART_OVERHEAD_BYTES if is_multipart(request) else 0
    return int(declared) > limit_bytes + allowance


# The two ways to send the file, for the OpenAPI document (the route reads the stream itself).
UPLOAD_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string", "format": "binary"},
                "example": "Nome completo;E-mail\nAna Souza;ana@exemplo.com.br\n",
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "The CSV; its name is the import's file name "
                            "unless ?file_name= says otherwise.",
                        }
                    },
                }
            },
        },
    }
}
