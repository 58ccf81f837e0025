"""Validate a message against the published AsyncAPI document, as an outside consumer would."""

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

ASYNCAPI = Path(__file__).resolve().parent.parent / "docs" / "asyncapi.json"


def published_document() -> dict[str, Any]:
    """The checked-in AsyncAPI document."""
    document: dict[str, Any] = json.loads(ASYNCAPI.read_text(encoding="utf-8"))
    return document


def validator_for(schema_name: str) -> Draft202012Validator:
    """A JSON Schema validator for one component schema of the document."""
    components = published_document()["components"]
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{schema_name}", "components": components}
    )
