"""HTTP errors as problem+json (RFC 9457): a stable code and a message a person can act on."""

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse


class ApiProblemError(Exception):
    """An error the API answers with a problem document."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
        self.extra = extra


async def problem_handler(_: Request, error: Exception) -> JSONResponse:
    """Render an ApiProblemError."""
    assert isinstance(error, ApiProblemError)
    body = {
        "type": f"urn:customer-import:problem:{error.code}",
        "title": error.code,
        "status": error.status,
        "detail": error.detail,
        "code": error.code,
        **error.extra,
    }
    return JSONResponse(
        body,
        status_code=error.status,
        media_type="application/problem+json",
        headers=error.headers,
    )
