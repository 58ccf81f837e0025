import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given
from hypothesis import strategies as st

from shared.rules.errors import ErrorCode
from shared.rules.fields import Field
from shared.rules.validate import validate_row


def email_result(value: str) -> str | ErrorCode:
    result = validate_row({Field.FULL_NAME: "Maria", Field.EMAIL: value})
    if result.record is None:
        assert len(result.errors) == 1
        return ErrorCode(result.errors[0].code)
    assert result.record.email is not None
    return result.record.email


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("maria@example.com", "maria@example.com"),
        ("Maria.Silva@Example.COM.br", "maria.silva@example.com.br"),
        (" joao+loja@empresa.com.br\u00a0", "joao+loja@empresa.com.br"),
        ("o'neil@example.org", "o'neil@example.org"),
        ("JOSÉ@exemplo.com.br", "josé@exemplo.com.br"),
        ("contato@AÇAÍ.com.br", "contato@açaí.com.br"),
        ("contato@XN--AA-4IAZ.com.br", "contato@açaí.com.br"),
        ("Postmaster@Example.com", "postmaster@example.com"),
    ],
)
def test_accepted_emails_are_stored_normalised_and_lower_case(value: str, stored: str) -> None:
    assert email_result(value) == stored


@pytest.mark.parametrize(
    "value",
    [
        "maria",
        "maria@",
        "@example.com",
        "maria@@example.com",
        "maria silva@example.com",
        "maria@example",
        "maria@example..com",
        "maria@.com",
        "maria.@example.com",
        "maria@exa_mple.com",
        "Maria <maria@example.com>",
        '"maria"@example.com',
        "maria@[127.0.0.1]",
        "a" * 250 + "@example.com",
    ],
)
def test_rejected_emails(value: str) -> None:
    assert email_result(value) == ErrorCode.EMAIL_INVALID


def test_a_rejected_email_keeps_the_value_and_the_libraries_reason() -> None:
    result = validate_row({Field.FULL_NAME: "Maria", Field.EMAIL: "maria@"})

    assert result.errors[0].params == {
        "value": "maria@",
        "reason": "There must be something after the @-sign",
    }


def library_result(value: str) -> str | ErrorCode:
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return ErrorCode.EMAIL_INVALID


near_emails = st.from_regex(r"[A-Za-z0-9._+'\"<>-]{0,12}@[A-Za-z0-9.<>@_-]{0,20}", fullmatch=True)


@given(value=st.emails() | near_emails)
@example(value="a@b<c@example.com>")
@example(value="Example@EXAMPLE.COM")
@example(value="x@" + "a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "d" * 59)
def test_the_cached_domain_path_agrees_with_the_library(value: str) -> None:
    # The rule skips the library for a plain local part and a known domain; never its verdict.
    assert email_result(value) == library_result(value)
