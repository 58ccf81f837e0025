"""HTTP errors as problem+json (RFC 9457): a stable code and a message a person can act on."""

from typing import Any, Literal

from asyncpg.exceptions import CharacterNotInRepertoireError, UntranslatableCharacterError
from fastapi import FastAPI, Request
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


_UNSTORABLE_TEXT: dict[Locale, str] = {
    "pt-BR": "Um texto enviado contém o caractere NUL (\\u0000), que o banco de dados não "
    "armazena. Remova-o e envie de novo.",
    "en": "A text sent holds the NUL character (\\u0000), which the database cannot store. "
    "Remove it and send the request again.",
}


async def unstorable_text_handler(request: Request, _: Exception) -> JSONResponse:
    """A NUL in any text the API hands to PostgreSQL (refused there, in text as in jsonb):
    the client's mistake, said as one, instead of an internal error."""
    locale = locale_of(request.headers.get("accept-language"))
    problem = ApiProblemError(422, "request.nul_character", _UNSTORABLE_TEXT[locale])
    return await problem_handler(request, problem)


def add_problem_handlers(app: FastAPI) -> None:
    """Answer the API's own problems, and text PostgreSQL cannot store, as problem+json."""
    app.add_exception_handler(ApiProblemError, problem_handler)
    for refused in (CharacterNotInRepertoireError, UntranslatableCharacterError):
        app.add_exception_handler(refused, unstorable_text_handler)
