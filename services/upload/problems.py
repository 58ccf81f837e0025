"""HTTP errors as problem+json (RFC 9457): a stable code and a message a person can act on."""

from typing import Any, Literal

from fastapi import Request
from fastapi.responses import JSONResponse

from shared.file_problems import Locale


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


def locale_of(accept_language: str | None) -> Locale:
    """English when the client asks for it first; pt-BR otherwise."""
    return "en" if accept_language and accept_language.lower().startswith("en") else "pt-BR"


NotFound = Literal["import", "user", "token", "plan", "customer"]
_NOT_FOUND: dict[NotFound, dict[Locale, str]] = {
    "import": {
        "pt-BR": "Nenhuma importação {id} nesta conta. Confira o identificador na lista de "
        "importações.",
        "en": "No import {id} in this account. Check the id in the list of imports.",
    },
    "user": {
        "pt-BR": "Nenhum usuário {id} nesta conta. Confira o identificador na lista de usuários.",
        "en": "No user {id} in this account. Check the id in the list of users.",
    },
    "token": {
        "pt-BR": "Nenhum token {id} nesta conta. Confira o prefixo na lista de tokens.",
        "en": "No token {id} in this account. Check the prefix in the list of tokens.",
    },
    "plan": {
        "pt-BR": "Nenhum plano {id} nesta conta. Confira o identificador na lista de planos.",
        "en": "No plan {id} in this account. Check the id in the list of plans.",
    },
    "customer": {
        "pt-BR": "Nenhum cliente {id} nesta conta. Busque o cliente pelo nome, e-mail ou "
        "documento.",
        "en": "No customer {id} in this account. Search for the customer by name, e-mail or "
        "document.",
    },
}


def not_found(what: NotFound, identifier: object, request: Request) -> ApiProblemError:
    """The 404 of what this account does not have; another account's looks exactly the same."""
    locale = locale_of(request.headers.get("accept-language"))
    return ApiProblemError(404, f"{what}.not_found", _NOT_FOUND[what][locale].format(id=identifier))


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
