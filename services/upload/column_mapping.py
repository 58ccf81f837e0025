"""The one place that says which field each column of an import's file holds."""

from collections.abc import Mapping, Sequence
from typing import Any

from shared.rules.headers import HeaderMapping, map_header


def effective_mapping(header: Sequence[str], import_record: Mapping[str, Any]) -> HeaderMapping:
    """The column mapping of an import: today the automatic mapping of its header.

    Every wizard step (preview, review) asks here, so a mapping the user adjusted or saved
    for the import's account takes effect everywhere once this function honours it.
    """
    del import_record  # the import a user-chosen mapping will be looked up for
    return map_header(header)
