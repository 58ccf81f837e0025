"""The mapping step's logic: automatic matches, the user's choices, saved mappings."""

import pytest

from services.upload.account_fields import AccountFields
from services.upload.column_mapping import (
    ChoiceProblem,
    choice_problems,
    choices_for,
    choices_from_saved,
    map_columns,
    saved_columns,
    stored_choices,
)
from shared.rules.custom_fields import CustomFieldDefinition, CustomFieldType
from shared.rules.fields import TEMPLATE_FIELDS, TEMPLATE_HEADERS, Field

LOYALTY = CustomFieldDefinition(
    key="nivel_fidelidade",
    label="Nível de fidelidade",
    type=CustomFieldType.ONE_OF,
    options=("Prata", "Ouro"),
)
BIRTHDAY = CustomFieldDefinition(
    key="aniversario", label="Data de aniversário", type=CustomFieldType.DATE, required=True
)
NAME_ONLY = AccountFields(required=frozenset({Field.FULL_NAME}), custom_fields=())
HELP_DESK = AccountFields(
    required=frozenset({Field.FULL_NAME, Field.EMAIL}), custom_fields=(LOYALTY, BIRTHDAY)
)


def test_a_file_in_exact_template_order_needs_no_mapping() -> None:
    header = [TEMPLATE_HEADERS[field] for field in TEMPLATE_FIELDS]
    mapping = map_columns(header, fields=NAME_ONLY)
    assert mapping.targets == {index: f.value for index, f in enumerate(TEMPLATE_FIELDS)}
    assert mapping.missing_required == ()
    assert mapping.ignored == ()
    assert not any(column.chosen for column in mapping.columns)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("nivel_fidelidade", "nivel_fidelidade"),
        ("Nível de fidelidade", "nivel_fidelidade"),
        ("NIVEL DE FIDELIDADE", "nivel_fidelidade"),
        ("nivel de fidelidade (bronze/prata/ouro)", "nivel_fidelidade"),
        ("Data de Aniversario", "aniversario"),
        ("ANIVERSÁRIO", "aniversario"),
    ],
)
def test_custom_fields_match_by_key_or_label_in_any_case_or_accent(
    header: str, target: str
) -> None:
    mapping = map_columns(["Nome", header], fields=HELP_DESK)
    assert mapping.targets == {0: "full_name", 1: target}


def test_unmatched_columns_are_ignored_and_required_fields_without_a_column_are_named() -> None:
    mapping = map_columns(["Cliente", "Correio", "Obs. internas", ""], fields=HELP_DESK)
    assert mapping.targets == {}
    # The blank cell of a trailing separator is not a column the user wrote.
    assert [column.header for column in mapping.ignored] == ["Cliente", "Correio", "Obs. internas"]
    assert mapping.required == ("full_name", "email", "aniversario")
    assert mapping.missing_required == ("full_name", "email", "aniversario")


def test_the_users_choices_win_and_take_the_field_from_the_automatic_column() -> None:
    header = ["Nome", "E-mail", "E-mail pessoal", "Aniversário", "Fidelidade"]
    automatic = map_columns(header, fields=HELP_DESK)
    assert automatic.targets == {0: "full_name", 1: "email", 3: "aniversario"}

    mapping = map_columns(header, fields=HELP_DESK, choices={2: "email", 4: "nivel_fidelidade"})
    assert mapping.targets == {0: "full_name", 2: "email", 3: "aniversario", 4: "nivel_fidelidade"}
    assert [(c.index, c.chosen) for c in mapping.columns if c.target] == [
        (0, False),
        (2, True),
        (3, False),
        (4, True),
    ]
    assert [c.header for c in mapping.ignored] == ["E-mail"]
    assert mapping.missing_required == ()


def test_a_column_chosen_to_be_ignored_is_ignored() -> None:
    mapping = map_columns(["Nome", "E-mail"], fields=NAME_ONLY, choices={1: None})
    assert mapping.targets == {0: "full_name"}
    assert [c.header for c in mapping.ignored] == ["E-mail"]


def test_a_required_field_ignored_by_the_user_is_missing() -> None:
    mapping = map_columns(["Nome", "E-mail"], fields=HELP_DESK, choices={1: None})
    assert mapping.missing_required == ("email", "aniversario")


def test_a_single_phone_column_covers_required_phone_fields() -> None:
    fields = AccountFields(
        required=frozenset({Field.FULL_NAME, Field.PHONE_NUMBER}), custom_fields=()
    )
    assert map_columns(["Nome", "Telefone"], fields=fields).missing_required == ()
    assert map_columns(["Nome", "Cel"], fields=fields).missing_required == ("phone_number",)
    assert map_columns(["Nome", "Cel"], fields=fields, choices={1: "phone"}).targets == {
        0: "full_name",
        1: "phone",
    }


def test_choices_that_cannot_be_taken_are_each_explained() -> None:
    header = ["Nome", "Mail", "Outro mail"]
    problems = choice_problems(
        header, {0: "full_name", 1: "email", 2: "email", 3: "notes", 4: None}, HELP_DESK
    )
    assert problems == [
        ChoiceProblem("mapping.field_twice", 2, "email", 1),
        ChoiceProblem("mapping.unknown_column", 3, "notes"),
        ChoiceProblem("mapping.unknown_column", 4, None),
    ]
    assert choice_problems(header, {1: "e-mail", 2: "nivel"}, HELP_DESK) == [
        ChoiceProblem("mapping.unknown_field", 1, "e-mail"),
        ChoiceProblem("mapping.unknown_field", 2, "nivel"),
    ]
    assert choice_problems(header, {1: "nivel_fidelidade", 2: None}, HELP_DESK) == []


def test_a_saved_mapping_applies_by_header_to_a_file_in_another_order() -> None:
    first = map_columns(
        ["Cliente", "Correio", "Categoria", "Nota"],
        fields=HELP_DESK,
        choices={0: "full_name", 1: "email", 2: "nivel_fidelidade"},
    )
    saved = saved_columns(first)
    assert saved == [
        {"header": "Cliente", "target": "full_name"},
        {"header": "Correio", "target": "email"},
        {"header": "Categoria", "target": "nivel_fidelidade"},
        {"header": "Nota", "target": None},
    ]
    later = ["categoria", "Outra coluna", "CORREIO", "cliente"]
    choices = choices_from_saved(later, saved, HELP_DESK)
    assert choices == {0: "nivel_fidelidade", 2: "email", 3: "full_name"}


def test_a_saved_mapping_naming_a_removed_custom_field_does_not_choose_it() -> None:
    saved = [{"header": "Categoria", "target": "nivel_fidelidade"}]
    assert choices_from_saved(["Categoria"], saved, NAME_ONLY) == {}


def test_stored_choices_hold_only_for_the_header_they_were_made_for() -> None:
    stored = stored_choices(["Cliente", "Correio"], {1: "email", 0: "full_name"})
    assert stored == {"header": ["Cliente", "Correio"], "columns": {"0": "full_name", "1": "email"}}
    assert choices_for(["Cliente", "Correio"], stored) == {0: "full_name", 1: "email"}
    # A corrected file uploaded again: the header changed, the user maps it anew.
    assert choices_for(["Correio", "Cliente"], stored) == {}
    assert choices_for(["Cliente"], None) == {}
