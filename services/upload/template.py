"""The CSV template: the header in template order, for a spreadsheet program to open as is."""

import codecs
import csv
import io
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from services.upload.access import Caller
from services.upload.auth import authenticated
from shared.rules.fields import TEMPLATE_FIELDS, TEMPLATE_HEADERS

router = APIRouter(prefix="/v1", tags=["wizard"])


class TemplateDelimiter(StrEnum):
    """The separator of the template: comma (the reference's), or semicolon (Excel in Brazil)."""

    COMMA = "comma"
    SEMICOLON = "semicolon"


_SEPARATORS = {TemplateDelimiter.COMMA: ",", TemplateDelimiter.SEMICOLON: ";"}


def template_csv(delimiter: TemplateDelimiter) -> bytes:
    """The template's bytes: UTF-8 with a BOM (so Excel reads accents right) and one header row."""
    text = io.StringIO()
    csv.writer(text, delimiter=_SEPARATORS[delimiter], lineterminator="\r\n").writerow(
        TEMPLATE_HEADERS[field] for field in TEMPLATE_FIELDS
    )
    return codecs.BOM_UTF8 + text.getvalue().encode("utf-8")


def template_file_name(delimiter: TemplateDelimiter) -> str:
    """The name a browser saves the template under."""
    suffix = "" if delimiter is TemplateDelimiter.COMMA else "-ponto-e-virgula"
    return f"modelo-importacao-clientes{suffix}.csv"


@router.get(
    "/imports/template",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The template file."}},
)
async def download_template(
    _: Annotated[Caller, Depends(authenticated)],
    delimiter: Annotated[
        TemplateDelimiter,
        Query(description="`comma` (default) or `semicolon` (what Excel in Brazil expects)."),
    ] = TemplateDelimiter.COMMA,
) -> Response:
    """Step 1 of the wizard: the CSV template, its columns in the order an upload expects."""
    return Response(
        template_csv(delimiter),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{template_file_name(delimiter)}"'},
    )
