"""Text clean-up applied to every spreadsheet cell before any rule looks at it."""

import re
import unicodedata
from functools import lru_cache

# Zero-width characters survive copy-paste from web pages and word processors; they are
# invisible to the user, so they are never part of what the user meant to type.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# NUL is invisible too (padding or debris of the program that exported the file), and
# PostgreSQL cannot store it: left in a cell, it failed its whole batch of rows at the insert.
_NUL = "\x00"
# Non-breaking spaces inside a value are, for the user, plain spaces.
_NON_BREAKING_SPACES = "\u00a0\u202f"
_TRANSLATION = str.maketrans(
    dict.fromkeys(_NUL + _ZERO_WIDTH, None) | dict.fromkeys(_NON_BREAKING_SPACES, " ")
)
# Whether a cell holds any of them: searching is ~8x cheaper than translating an accented cell.
_INVISIBLE_OR_NON_BREAKING = re.compile(f"[{_NUL}{_ZERO_WIDTH}{_NON_BREAKING_SPACES}]")


def clean_cell(value: str) -> str:
    """Return the cell in NFC with surrounding blanks, NUL and zero-width characters removed."""
    if value.isascii():
        # ASCII needs no normalisation and holds no zero-width or non-breaking spaces.
        return value.replace(_NUL, "").strip() if _NUL in value else value.strip()
    if _INVISIBLE_OR_NON_BREAKING.search(value):
        value = value.translate(_TRANSLATION)
    return unicodedata.normalize("NFC", value).strip()


@lru_cache(maxsize=4096)
def fold_key(value: str) -> str:
    """Return a lookup key that ignores case, accents, punctuation and whitespace."""
    # NFKD splits accents off their letters and turns "º" into "o", so "Nº" folds to "no".
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(char for char in decomposed if char.isalnum() and char.isascii())
