"""Brazilian test data built from the published algorithms, independently of the code under test."""

# Every DDD Anatel has assigned, as the product's rules list them.
BR_DDDS = (
    *range(11, 20), 21, 22, 24, 27, 28, *range(31, 36), 37, 38, *range(41, 50), 51,
    *range(53, 56), *range(61, 70), 71, *range(73, 76), 77, 79, *range(81, 90), *range(91, 100),
)  # fmt: skip


def _mod11_digit(values: list[int], weights: list[int]) -> int:
    remainder = sum(v * w for v, w in zip(values, weights, strict=True)) % 11
    return 0 if remainder < 2 else 11 - remainder


def cpf_with_check_digits(base: str) -> str:
    """Return the 9-digit CPF base followed by its two check digits."""
    values = [int(char) for char in base]
    first = _mod11_digit(values, list(range(10, 1, -1)))
    second = _mod11_digit([*values, first], list(range(11, 1, -1)))
    return f"{base}{first}{second}"


def cnpj_with_check_digits(base: str) -> str:
    """Return the 12-character CNPJ base followed by its check digits (Receita's rule)."""
    # Each character counts as its ASCII code minus 48: digits keep their value, A is 17.
    values = [ord(char) - 48 for char in base.upper()]
    weights = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    first = _mod11_digit(values, weights)
    second = _mod11_digit([*values, first], [6, *weights])
    return f"{base.upper()}{first}{second}"
