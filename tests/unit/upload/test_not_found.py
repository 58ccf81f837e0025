"""A 404 says what is missing and where to look, in the caller's language."""

import uuid

import pytest
from starlette.requests import Request

from services.upload.problems import NotFound, not_found


def request(accept_language: str | None) -> Request:
    headers = [(b"accept-language", accept_language.encode())] if accept_language else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


@pytest.mark.parametrize("what", ["import", "user", "token", "plan", "customer"])
def test_a_missing_thing_is_named_in_portuguese_by_default_and_in_english_on_request(
    what: NotFound,
) -> None:
    identifier = uuid.uuid4()
    portuguese = not_found(what, identifier, request(None))
    english = not_found(what, identifier, request("en-US,en;q=0.9"))
    assert (portuguese.status, portuguese.code) == (404, f"{what}.not_found")
    assert english.code == portuguese.code
    assert str(identifier) in portuguese.detail
    assert "nesta conta" in portuguese.detail
    assert english.detail.startswith(f"No {what} {identifier} in this account.")
