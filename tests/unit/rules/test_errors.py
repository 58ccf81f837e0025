import ast
import re
import string
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.rules import errors as errors_module
from shared.rules.errors import (
    MESSAGES,
    ErrorCode,
    Locale,
    RowError,
    render_error,
    render_errors,
)
from shared.rules.fields import Field

RULES_DIR = Path(errors_module.__file__).parent
CODE_SHAPE = re.compile(r"[a-z_]+\.[a-z_]+")


@pytest.mark.parametrize("code", list(ErrorCode))
@pytest.mark.parametrize("locale", ["pt-BR", "en"])
def test_every_code_has_a_message_in_both_locales(code: ErrorCode, locale: Locale) -> None:
    template = MESSAGES[code][locale]

    assert template.strip()
    assert code.value not in template


def test_the_catalogue_holds_only_known_codes() -> None:
    assert set(MESSAGES) == {code.value for code in ErrorCode}


def test_pt_br_and_english_templates_take_compatible_placeholders() -> None:
    def placeholders(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    for code, templates in MESSAGES.items():
        # English may add the library's own (English) reason; pt-BR needs nothing English lacks.
        assert placeholders(templates["pt-BR"]) <= placeholders(templates["en"]), code


def test_no_rule_module_spells_an_error_code_outside_the_enum() -> None:
    literals = {
        node.value
        for path in RULES_DIR.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CODE_SHAPE.fullmatch(node.value)
    }

    assert literals <= {code.value for code in ErrorCode}


def test_render_error_prefixes_the_users_column() -> None:
    error = RowError(field=Field.EMAIL, code=ErrorCode.EMAIL_INVALID, params={"value": "a@"})

    rendered = render_error(error.model_copy(update={"column": "Mail"}))

    assert rendered.startswith("Coluna «Mail»: e-mail inválido («a@»).")
    assert "Corrija" in rendered


def test_render_error_falls_back_to_the_template_header() -> None:
    error = RowError(
        field=Field.DOCUMENT, code=ErrorCode.DOCUMENT_CHECK_DIGITS, params={"value": "1"}
    )

    assert render_error(error) == (
        "Coluna «CPF ou CNPJ»: CPF/CNPJ inválido («1»): os dígitos verificadores não conferem. "
        "Confira o número no documento do cliente."
    )


def test_render_error_names_the_single_phone_column_like_the_template_phone() -> None:
    error = RowError(field=Field.PHONE, code=ErrorCode.PHONE_DDD_REQUIRED)

    assert render_error(error).startswith("Coluna «Telefone»: ")


def test_render_error_without_a_column_starts_with_a_capital() -> None:
    error = RowError(field=None, code=ErrorCode.VALUE_REQUIRED)

    assert render_error(error, "en") == (
        "Required value is blank. Fill in this field for the customer."
    )


def test_render_error_in_english() -> None:
    error = RowError(field=Field.STATE, code=ErrorCode.STATE_INVALID, params={"value": "XX"})

    assert render_error(error, "en").startswith("Column «Estado»: state «XX» not recognised.")


def test_render_error_keeps_a_missing_placeholder_visible() -> None:
    error = RowError(field=None, code=ErrorCode.STATE_INVALID)

    assert render_error(error).startswith("Estado «{value}» não reconhecido.")


def test_render_errors_joins_messages_with_a_bar() -> None:
    first = RowError(field=Field.FULL_NAME, code=ErrorCode.FULL_NAME_REQUIRED)
    second = RowError(field=Field.STATE, code=ErrorCode.STATE_INVALID, params={"value": "XX"})

    assert render_errors([first, second]) == f"{render_error(first)} | {render_error(second)}"


def test_row_error_is_frozen() -> None:
    error = RowError(field=Field.EMAIL, code=ErrorCode.EMAIL_INVALID)

    with pytest.raises(ValidationError):
        error.column = "Mail"  # type: ignore[misc]
