"""Seeded, reproducible generator of realistic pt-BR customer CSV files in the template layout.

Same arguments, same bytes. Rows are streamed, so a 6-million-row (~1 GB) file needs no more
memory than a 300-row one. A share of rows is deliberately broken or duplicated, and the
returned summary says how many rows a correct import must accept.

    python -m bench.customers_file OUT.csv --rows N --seed S [--delimiter ';'] [--encoding cp1252]
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import math
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from random import Random
from typing import BinaryIO, Final, Generic, Literal, TypeVar

from shared.rules.fields import TEMPLATE_FIELDS, TEMPLATE_HEADERS, Field

ENCODINGS: Final = ("utf-8-sig", "utf-8", "cp1252")
# Above this many rows the summary keeps counts only, so memory stays constant.
ROW_NUMBERS_LIMIT: Final = 10_000
# A spreadsheet shows the header on row 1, so data row `index` (0-based) is row index + 2.
FIRST_DATA_ROW: Final = 2


class BrokenKind(StrEnum):
    """The kinds of deliberately invalid rows, generated in equal shares."""

    MISSING_FULL_NAME = "missing_full_name"
    INVALID_EMAIL = "invalid_email"
    CPF_WRONG_CHECK_DIGITS = "cpf_wrong_check_digits"
    CNPJ_WRONG_CHECK_DIGITS = "cnpj_wrong_check_digits"
    CPF_SCIENTIFIC_NOTATION = "cpf_scientific_notation"
    INVALID_STATE = "invalid_state"
    INVALID_POSTAL_CODE = "invalid_postal_code"
    PHONE_SEVEN_DIGITS = "phone_seven_digits"
    INVALID_DDD = "invalid_ddd"
    FULL_NAME_TOO_LONG = "full_name_too_long"
    SEVERAL_PROBLEMS = "several_problems"


@dataclass(frozen=True)
class GenerationSummary:
    """What was written and how many rows a correct import must accept."""

    rows: int
    broken_by_kind: Mapping[str, int]
    duplicate_email_rows: int
    duplicate_external_code_rows: int
    expected_valid: int
    # Spreadsheet row numbers (header = 1); empty when rows > ROW_NUMBERS_LIMIT.
    broken_row_numbers: Mapping[str, tuple[int, ...]]
    duplicate_email_row_numbers: tuple[int, ...]
    duplicate_external_code_row_numbers: tuple[int, ...]

    @property
    def broken_rows(self) -> int:
        """Number of broken rows of every kind."""
        return sum(self.broken_by_kind.values())

    def as_dict(self) -> dict[str, object]:
        """The summary as JSON-ready plain values."""
        return {
            "rows": self.rows,
            "broken_rows": self.broken_rows,
            "broken_by_kind": dict(self.broken_by_kind),
            "duplicate_email_rows": self.duplicate_email_rows,
            "duplicate_external_code_rows": self.duplicate_external_code_rows,
            "expected_valid": self.expected_valid,
            "broken_row_numbers": {k: list(v) for k, v in self.broken_row_numbers.items()},
            "duplicate_email_row_numbers": list(self.duplicate_email_row_numbers),
            "duplicate_external_code_row_numbers": list(self.duplicate_external_code_row_numbers),
        }


# ---------------------------------------------------------------------------------------------
# Reference data. Every character must exist in cp1252, the encoding of Excel's plain "CSV".

# Given names by gender, so a second given name matches the first ("Ana Beatriz").
MALE_NAMES: Final = (
    "João", "José", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz",
    "Marcos", "Luís", "Gabriel", "Rafael", "Daniel", "Marcelo", "Bruno", "Eduardo", "Felipe",
    "Raimundo", "Rodrigo", "Sérgio", "Cláudio", "Fábio", "Otávio", "Vinícius", "André",
    "Márcio", "Júlio", "Caio", "Heitor", "Estêvão", "Inácio",
)  # fmt: skip
FEMALE_NAMES: Final = (
    "Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda",
    "Patrícia", "Aline", "Conceição", "Luíza", "Letícia", "Júlia", "Cecília", "Mônica", "Flávia",
    "Lúcia", "Vitória", "Inês", "Beatriz", "Camila", "Sônia", "Raquel", "Tânia", "Débora",
    "Gláucia", "Lívia", "Simone", "Aparecida", "Rosângela", "Valéria",
)  # fmt: skip
SURNAMES: Final = (
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
    "Gomes", "Ribeiro", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira",
    "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques",
    "Machado", "Mendes", "Freitas", "Cardoso", "Ramos", "Gonçalves", "Araújo", "Conceição",
    "Magalhães", "Guimarães", "Simões", "Brandão", "Falcão", "Assunção", "Nóbrega", "Antunes",
    "Damião", "Estevão", "Sá", "Tavares", "Correia", "Monteiro", "Pinheiro", "Rebouças",
    "Cavalcanti", "Brás", "Leão", "Frazão",
)  # fmt: skip
# Surnames that take a particle; the particle stays out of e-mail addresses.
PARTICLE_SURNAMES: Final = (
    "da Silva", "dos Santos", "de Oliveira", "de Souza", "da Conceição", "de Araújo",
    "da Costa", "de Almeida", "da Rocha", "dos Reis", "das Neves", "do Nascimento", "de Jesus",
    "de Assis", "da Cunha", "de Magalhães",
)  # fmt: skip

BUSINESS_KINDS: Final = (
    "Padaria", "Açougue", "Mercearia", "Farmácia", "Oficina Mecânica", "Papelaria",
    "Restaurante", "Salão de Beleza", "Auto Peças", "Distribuidora", "Construtora", "Pet Shop",
    "Lanchonete", "Ótica", "Clínica Odontológica", "Escola de Idiomas", "Academia",
    "Floricultura", "Calçados", "Materiais de Construção", "Sorveteria", "Pizzaria",
)  # fmt: skip
BUSINESS_NAMES: Final = (
    "Pão Dourado", "São Jorge", "Bom Jesus", "Nossa Senhora Aparecida", "Estrela do Norte",
    "Primavera", "Boa Vista", "Santa Luzia", "Três Irmãos", "Paraíso", "Central", "Progresso",
    "União", "Ipê Amarelo", "Sabiá", "Beira-Mar", "Família Araújo", "Irmãos Gonçalves",
    "Nova Esperança", "São Cristóvão", "Vitória Régia", "Bem-Estar", "Sertão", "Açaí",
)  # fmt: skip
COMPANY_SUFFIXES: Final = ("Ltda", "Ltda.", "ME", "EIRELI", "S.A.", "EPP", "Ltda ME", "")
COMPANY_MAILBOXES: Final = (
    "contato", "financeiro", "comercial", "vendas", "atendimento", "adm", "compras",
)  # fmt: skip
# Free mailbox providers and their weights: most people use gmail or hotmail.
PERSONAL_DOMAINS: Final = {
    "gmail.com": 12, "hotmail.com": 7, "outlook.com": 4, "yahoo.com.br": 3, "uol.com.br": 2,
    "bol.com.br": 2, "terra.com.br": 1, "icloud.com": 1,
}  # fmt: skip


@dataclass(frozen=True)
class City:
    """A real city with its UF, DDD and a range of its CEPs."""

    name: str
    state: str
    ddd: str
    first_cep: int
    last_cep: int
    weight: int


CITIES: Final = (
    City("São Paulo", "SP", "11", 1_000_000, 5_999_999, 24),
    City("Campinas", "SP", "19", 13_000_001, 13_139_999, 4),
    City("Santos", "SP", "13", 11_000_001, 11_099_999, 2),
    City("Ribeirão Preto", "SP", "16", 14_000_001, 14_114_999, 2),
    City("São José dos Campos", "SP", "12", 12_200_001, 12_248_999, 2),
    City("Sorocaba", "SP", "15", 18_000_001, 18_109_999, 2),
    City("Rio de Janeiro", "RJ", "21", 20_000_001, 23_799_999, 12),
    City("Niterói", "RJ", "21", 24_000_001, 24_399_999, 2),
    City("Petrópolis", "RJ", "24", 25_600_001, 25_779_999, 1),
    City("Belo Horizonte", "MG", "31", 30_000_001, 31_999_999, 6),
    City("Uberlândia", "MG", "34", 38_400_001, 38_415_999, 2),
    City("Juiz de Fora", "MG", "32", 36_000_001, 36_099_999, 1),
    City("Vitória", "ES", "27", 29_000_001, 29_099_999, 2),
    City("Curitiba", "PR", "41", 80_000_001, 82_999_999, 5),
    City("Londrina", "PR", "43", 86_000_001, 86_099_999, 2),
    City("Maringá", "PR", "44", 87_000_001, 87_099_999, 1),
    City("Florianópolis", "SC", "48", 88_000_001, 88_099_999, 2),
    City("Joinville", "SC", "47", 89_200_001, 89_239_999, 2),
    City("Blumenau", "SC", "47", 89_010_001, 89_099_999, 1),
    City("Porto Alegre", "RS", "51", 90_000_001, 91_999_999, 5),
    City("Caxias do Sul", "RS", "54", 95_000_001, 95_124_999, 1),
    City("Pelotas", "RS", "53", 96_000_001, 96_099_999, 1),
    City("Brasília", "DF", "61", 70_000_001, 72_799_999, 5),
    City("Goiânia", "GO", "62", 74_000_001, 74_899_999, 3),
    City("Campo Grande", "MS", "67", 79_000_001, 79_124_999, 2),
    City("Cuiabá", "MT", "65", 78_000_001, 78_109_999, 2),
    City("Salvador", "BA", "71", 40_000_001, 42_599_999, 5),
    City("Feira de Santana", "BA", "75", 44_000_001, 44_109_999, 1),
    City("Recife", "PE", "81", 50_000_001, 52_999_999, 4),
    City("Olinda", "PE", "81", 53_000_001, 53_399_999, 1),
    City("Fortaleza", "CE", "85", 60_000_001, 61_599_999, 4),
    City("Natal", "RN", "84", 59_000_001, 59_161_999, 2),
    City("João Pessoa", "PB", "83", 58_000_001, 58_099_999, 2),
    City("Maceió", "AL", "82", 57_000_001, 57_099_999, 2),
    City("Aracaju", "SE", "79", 49_000_001, 49_099_999, 1),
    City("Teresina", "PI", "86", 64_000_001, 64_099_999, 1),
    City("São Luís", "MA", "98", 65_000_001, 65_109_999, 2),
    City("Belém", "PA", "91", 66_000_001, 66_999_999, 3),
    City("Manaus", "AM", "92", 69_000_001, 69_099_999, 3),
    City("Macapá", "AP", "96", 68_900_001, 68_914_999, 1),
    City("Boa Vista", "RR", "95", 69_300_001, 69_339_999, 1),
    City("Porto Velho", "RO", "69", 76_800_001, 76_834_999, 1),
    City("Rio Branco", "AC", "68", 69_900_001, 69_923_999, 1),
    City("Palmas", "TO", "63", 77_000_001, 77_270_999, 1),
)

STREET_TYPES: Final = (
    ("Rua",) * 8 + ("Avenida",) * 4 + ("Travessa", "Alameda", "Praça", "Estrada", "Rodovia")
)
STREET_NAMES: Final = (
    "Sete de Setembro", "XV de Novembro", "Dom Pedro II", "Tiradentes", "Marechal Deodoro",
    "Barão do Rio Branco", "das Acácias", "São João", "Getúlio Vargas", "Presidente Kennedy",
    "José Bonifácio", "Santos Dumont", "Rui Barbosa", "Castro Alves", "Machado de Assis",
    "das Palmeiras", "da Conceição", "Goiás", "Paraná", "Amazonas", "Duque de Caxias",
    "Princesa Isabel", "Floriano Peixoto", "Visconde de Mauá", "Padre Anchieta",
    "Cecília Meireles", "Olavo Bilac", "dos Andradas", "Independência", "Brigadeiro Tobias",
    "Nossa Senhora de Fátima", "Frei Caneca", "Augusto Severo", "Ipiranga", "São Sebastião",
    "Antônio Carlos Jobim", "Érico Veríssimo", "Joaquim Nabuco", "dos Bandeirantes",
)  # fmt: skip
DISTRICTS: Final = (
    "Centro", "Jardim América", "Vila Nova", "Boa Vista", "Santa Cecília", "Jardim Paulista",
    "Vila Mariana", "São José", "Bela Vista", "Jardim das Flores", "Parque São Jorge",
    "Vila Industrial", "Cidade Nova", "Alto da Glória", "Santo Antônio", "Vila Maria",
    "Nossa Senhora das Graças", "Jardim Botânico", "Bairro dos Estados", "Aparecida",
    "Conjunto Habitacional Santa Rita", "Lagoa Nova", "Jardim Europa", "Vila São Luís",
)  # fmt: skip
NOTES: Final = (
    "Cliente desde 2019",
    "Prefere contato por WhatsApp",
    "Pagamento via boleto; enviar NF ao financeiro",
    "Indicado por Maria, cliente antiga",
    "Ligar após as 18h; não ligar aos sábados",
    "Desconto de 10%, renovação anual",
    # Word's autocorrected en dash: in cp1252 (0x96) but not in latin-1.
    'Cliente "VIP" – atendimento prioritário',  # noqa: RUF001
    "Migrado do sistema antigo (código 4471)",
    "Não enviar e-mail marketing",
    "Responsável: Sônia Gonçalves, ramal 204",
)
# Line breaks inside a cell: what the competitors forbid and this product handles.
MULTILINE_NOTES: Final = (
    "Entregar na portaria\nfalar com o zelador Sr. José",
    "Endereço de cobrança diferente:\nCaixa Postal 1234, Agência Centro",
)

# DDD 20 is not assigned to any area in Brazil.
UNASSIGNED_DDD: Final = "20"
INVALID_STATE: Final = "XX"
INVALID_POSTAL_CODE: Final = "1234-5"
TOO_LONG_NAME_LENGTH: Final = 300

# Shares of customer profiles and of optional cells, tuned to look like a real base.
CPF_SHARE: Final = 0.70
CNPJ_SHARE: Final = 0.25
EMAIL_SHARE: Final = 0.93
PHONE_SHARE: Final = 0.90
ADDRESS_SHARE: Final = 0.92
NOTES_SHARE: Final = 0.15
MULTILINE_NOTES_SHARE: Final = 0.08
EXTERNAL_CODE_SHARE: Final = 0.90
# Three duplicates reuse an earlier e-mail for each one that reuses an external code.
DUPLICATE_FIELDS: Final = (Field.EMAIL, Field.EMAIL, Field.EMAIL, Field.EXTERNAL_CODE)

# Pool sizes are powers of two so a pool index is one getrandbits call.
DOMAIN_POOL_BITS: Final = 6
PERSON_POOL_BITS: Final = 13
COMPANY_POOL_BITS: Final = 12
ADDRESS_POOL_BITS: Final = 14
REUSE_POOL_SIZE: Final = 256

# ---------------------------------------------------------------------------------------------
# Column positions, taken from the template so rows follow it even if it is reordered.

_WIDTH: Final = len(TEMPLATE_FIELDS)
_COLUMN: Final = {f: i for i, f in enumerate(TEMPLATE_FIELDS)}
_NAME: Final = _COLUMN[Field.FULL_NAME]
_EMAIL: Final = _COLUMN[Field.EMAIL]
_DOCUMENT: Final = _COLUMN[Field.DOCUMENT]
_PHONE_TYPE: Final = _COLUMN[Field.PHONE_TYPE]
_DDI: Final = _COLUMN[Field.PHONE_DDI]
_DDD: Final = _COLUMN[Field.PHONE_DDD]
_PHONE_NUMBER: Final = _COLUMN[Field.PHONE_NUMBER]
_EXTENSION: Final = _COLUMN[Field.PHONE_EXTENSION]
_POSTAL_CODE: Final = _COLUMN[Field.POSTAL_CODE]
_STREET: Final = _COLUMN[Field.STREET]
_STREET_NUMBER: Final = _COLUMN[Field.STREET_NUMBER]
_COMPLEMENT: Final = _COLUMN[Field.COMPLEMENT]
_DISTRICT: Final = _COLUMN[Field.DISTRICT]
_CITY: Final = _COLUMN[Field.CITY]
_STATE: Final = _COLUMN[Field.STATE]
_NOTES: Final = _COLUMN[Field.NOTES]
_EXTERNAL_CODE: Final = _COLUMN[Field.EXTERNAL_CODE]
_BLANK_ROW: Final = ("",) * _WIDTH


# ---------------------------------------------------------------------------------------------
# Check digits


# Weights of the first and second check digit; the second list's last weight applies to the
# first check digit.
CPF_WEIGHTS: Final = ((10, 9, 8, 7, 6, 5, 4, 3, 2), (11, 10, 9, 8, 7, 6, 5, 4, 3, 2))
CNPJ_WEIGHTS: Final = (
    (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2),
    (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2),
)
# Both weighted sums of a number travel in one int: the first in the low bits, the second
# shifted above it (each stays below 9 * 11 * 14 < 2**11).
_SUM_BITS: Final = 11
_SUM_MASK: Final = (1 << _SUM_BITS) - 1


def _group_tables(first: Sequence[int], second: Sequence[int]) -> tuple[tuple[int, ...], ...]:
    """Packed weighted sums of 000..999 per 3-digit group, most significant group first."""
    return tuple(
        tuple(
            _weighted(first[start : start + 3], v)
            + (_weighted(second[start : start + 3], v) << _SUM_BITS)
            for v in range(1000)
        )
        for start in range(0, len(first), 3)
    )


def _weighted(weights: Sequence[int], group: int) -> int:
    """The weighted sum of the three digits of `group` (000..999)."""
    return weights[0] * (group // 100) + weights[1] * (group // 10 % 10) + weights[2] * (group % 10)


# Check digits the way stdnum.br.cpf/cnpj compute them (the tests compare both), but with one
# table lookup per three digits: stdnum's per-digit loop costs 3-5 µs a number, which alone
# would hold the generator well below 100k rows/s.
_CPF_TABLES: Final = _group_tables(CPF_WEIGHTS[0], CPF_WEIGHTS[1][:-1])
_CNPJ_TABLES: Final = _group_tables(CNPJ_WEIGHTS[0], CNPJ_WEIGHTS[1][:-1])


def cpf_check_digits(base: int) -> int:
    """The two check digits of a 9-digit CPF base, as an int (05 is 5)."""
    high, middle, low = _CPF_TABLES
    sums = high[base // 1_000_000] + middle[base // 1000 % 1000] + low[base % 1000]
    return _mod11_pair(sums, CPF_WEIGHTS[1][-1])


def cnpj_check_digits(number: int) -> int:
    """The two check digits of the first 12 CNPJ digits, as an int (05 is 5)."""
    t0, t1, t2, t3 = _CNPJ_TABLES
    sums = (
        t0[number // 1_000_000_000]
        + t1[number // 1_000_000 % 1000]
        + t2[number // 1000 % 1000]
        + t3[number % 1000]
    )
    return _mod11_pair(sums, CNPJ_WEIGHTS[1][-1])


def _mod11_pair(sums: int, first_digit_weight: int) -> int:
    """Both mod-11 check digits from the packed weighted sums."""
    d1 = (11 - (sums & _SUM_MASK)) % 11 % 10
    d2 = (11 - (sums >> _SUM_BITS) - first_digit_weight * d1) % 11 % 10
    return d1 * 10 + d2


def format_cpf(digits: str) -> str:
    """CPF digits as 123.456.789-09."""
    return f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"


def format_cnpj(digits: str) -> str:
    """CNPJ digits as 12.345.678/0001-95."""
    return f"{digits[:2]}.{digits[2:5]}.{digits[5:8]}/{digits[8:12]}-{digits[12:]}"


class _Documents:
    """A distinct CPF and CNPJ per row index, through an affine permutation of the index."""

    # Bases and roots stay >= 10**8 / 10**7 so every number has its full length without padding.
    _CPF_LOW, _CPF_SPAN = 100_000_000, 800_000_000
    _CNPJ_LOW, _CNPJ_SPAN = 10_000_000, 90_000_000

    def __init__(self, rng: Random) -> None:
        self._cpf_step, self._cpf_offset = _permutation(rng, self._CPF_SPAN)
        self._cnpj_step, self._cnpj_offset = _permutation(rng, self._CNPJ_SPAN)

    def cpf(self, index: int) -> str:
        """The 11 CPF digits of row `index`."""
        base = self._CPF_LOW + (index * self._cpf_step + self._cpf_offset) % self._CPF_SPAN
        # One repeated digit (111.111.111-11) passes the checksum but every register rejects
        # it; move those above the range the permutation uses.
        if base % 111_111_111 == 0:
            base = 900_000_000 + base // 111_111_111
        return str(base * 100 + cpf_check_digits(base))

    def cnpj(self, index: int, branch: int) -> str:
        """The 14 CNPJ digits of row `index` for a branch (1 = head office)."""
        root = self._CNPJ_LOW + (index * self._cnpj_step + self._cnpj_offset) % self._CNPJ_SPAN
        number = root * 10_000 + branch
        return str(number * 100 + cnpj_check_digits(number))


def _permutation(rng: Random, span: int) -> tuple[int, int]:
    """Step and offset making i -> (i * step + offset) % span a bijection on [0, span)."""
    # A step coprime with the span (8 or 9 times a power of ten) never revisits a value.
    step = rng.randrange(span // 3, span) | 1
    while step % 3 == 0 or step % 5 == 0:
        step += 2
    return step, rng.randrange(span)


def _spoil_check_digits(digits: str, rng: Random) -> str:
    """The same number with its first check digit changed, so the checksum fails."""
    wrong = (int(digits[-2]) + rng.randrange(1, 10)) % 10
    return f"{digits[:-2]}{wrong}{digits[-1]}"


def _scientific(digits: str) -> str:
    """A number as pt-BR Excel shows a long number in a General cell: 1,23457E+10."""
    return f"{int(digits):.5E}".replace(".", ",")


# ---------------------------------------------------------------------------------------------
# Pools: everything costly (accents folding, joins, weighted choices) happens once, up front.


def ascii_fold(text: str) -> str:
    """Text without accents, lower-cased, keeping letters only (for e-mail parts)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if c.isascii() and c.isalpha())


@dataclass(frozen=True)
class _Address:
    """An address as a blank row with only its address cells filled, and its city's DDD."""

    ddd: str
    # Copying a ready row is cheaper than filling seven cells per generated row.
    row: tuple[str, ...]


@dataclass(frozen=True)
class _Pools:
    """Precomputed names, companies, mailbox domains and addresses the rows are drawn from."""

    persons: tuple[tuple[str, str], ...]  # (full name, e-mail local part)
    companies: tuple[tuple[str, str, str], ...]  # (name, e-mail local part, domain)
    domains: tuple[str, ...]  # free mailbox domains, repeated by weight
    addresses: tuple[_Address, ...]


def _person(rng: Random) -> tuple[str, str]:
    """A person's full name and an ascii e-mail local part derived from it."""
    names = MALE_NAMES if rng.random() < 0.5 else FEMALE_NAMES
    given_names = rng.sample(names, 2 if rng.random() < 0.25 else 1)
    surnames = rng.sample(SURNAMES, rng.choice((1, 1, 2, 2, 3)))
    if rng.random() < 0.3:
        surnames.insert(0, rng.choice(PARTICLE_SURNAMES))
    full_name = " ".join(given_names + surnames)
    given, last = ascii_fold(given_names[0]), ascii_fold(surnames[-1])
    local = rng.choice(
        (f"{given}.{last}", f"{given}{last}", f"{given}_{last}", f"{given[0]}{last}",
         f"{last}.{given}", given)
    )  # fmt: skip
    return full_name, local


def _company(rng: Random, domains: Sequence[str]) -> tuple[str, str, str]:
    """A company name with its e-mail local part and domain."""
    kind, name = rng.choice(BUSINESS_KINDS), rng.choice(BUSINESS_NAMES)
    full_name = " ".join(filter(None, (kind, name, rng.choice(COMPANY_SUFFIXES))))
    slug = ascii_fold(kind + name)
    # Small businesses often use a free mailbox named after the shop.
    if rng.random() < 0.3:
        return full_name, slug, rng.choice(domains)
    return full_name, rng.choice(COMPANY_MAILBOXES), f"{slug}.com.br"


def _complement(rng: Random) -> str:
    """An address complement, blank for about half the addresses."""
    roll = rng.random()
    if roll < 0.45:
        return ""
    return rng.choice(
        (f"Apto {rng.randint(1, 24)}{rng.randint(1, 8):02d}", f"Bloco {rng.choice('ABCDEF')}",
         f"Casa {rng.randint(1, 6)}", f"Sala {rng.randint(1, 20)}{rng.randint(1, 9):02d}",
         f"Apto {rng.randint(11, 184)} Bloco {rng.choice('ABC')}", "Fundos",
         f"Loja {rng.randint(1, 40)}")
    )  # fmt: skip


def _address(rng: Random, city: City) -> _Address:
    """A plausible address in `city`."""
    cep = f"{rng.randint(city.first_cep, city.last_cep):08d}"
    # Mostly small house numbers, a long tail, and the odd "s/n" (sem número).
    number = "s/n" if rng.random() < 0.02 else str(int(rng.expovariate(1 / 400)) + 1)
    row = [""] * _WIDTH
    row[_POSTAL_CODE] = f"{cep[:5]}-{cep[5:]}" if rng.random() < 0.6 else cep
    row[_STREET] = f"{rng.choice(STREET_TYPES)} {rng.choice(STREET_NAMES)}"
    row[_STREET_NUMBER] = number
    row[_COMPLEMENT] = _complement(rng)
    row[_DISTRICT] = rng.choice(DISTRICTS)
    row[_CITY] = city.name
    row[_STATE] = city.state
    return _Address(ddd=city.ddd, row=tuple(row))


def _build_pools(rng: Random) -> _Pools:
    """Draw the pools of persons, companies, mailbox domains and addresses."""
    names, weights = list(PERSONAL_DOMAINS), list(PERSONAL_DOMAINS.values())
    domains = tuple(rng.choices(names, weights, k=1 << DOMAIN_POOL_BITS))
    cities = rng.choices(CITIES, weights=[c.weight for c in CITIES], k=1 << ADDRESS_POOL_BITS)
    return _Pools(
        persons=tuple(_person(rng) for _ in range(1 << PERSON_POOL_BITS)),
        companies=tuple(_company(rng, domains) for _ in range(1 << COMPANY_POOL_BITS)),
        domains=domains,
        addresses=tuple(_address(rng, city) for city in cities),
    )


# ---------------------------------------------------------------------------------------------
# Rows


# Which document a customer has; it also decides person or company. Plain strings: enum
# member lookups are measurable on this hot path.
_Profile = Literal["cpf", "cnpj", "none"]


class _RowFactory:
    """Builds valid customer rows and spoils them into broken ones."""

    def __init__(self, rng: Random) -> None:
        self._rng = rng
        self._pools = _build_pools(rng)
        self._documents = _Documents(rng)
        self._spoilers: dict[BrokenKind, Callable[[list[str], int], None]] = {
            BrokenKind.MISSING_FULL_NAME: self._missing_full_name,
            BrokenKind.INVALID_EMAIL: self._invalid_email,
            BrokenKind.CPF_WRONG_CHECK_DIGITS: self._cpf_wrong_check_digits,
            BrokenKind.CNPJ_WRONG_CHECK_DIGITS: self._cnpj_wrong_check_digits,
            BrokenKind.CPF_SCIENTIFIC_NOTATION: self._cpf_scientific_notation,
            BrokenKind.INVALID_STATE: self._invalid_state,
            BrokenKind.INVALID_POSTAL_CODE: self._invalid_postal_code,
            BrokenKind.PHONE_SEVEN_DIGITS: self._phone_seven_digits,
            BrokenKind.INVALID_DDD: self._invalid_ddd,
            BrokenKind.FULL_NAME_TOO_LONG: self._full_name_too_long,
            BrokenKind.SEVERAL_PROBLEMS: self._several_problems,
        }
        self._profile_of_kind: dict[BrokenKind, _Profile] = {
            BrokenKind.CPF_WRONG_CHECK_DIGITS: "cpf",
            BrokenKind.CPF_SCIENTIFIC_NOTATION: "cpf",
            BrokenKind.CNPJ_WRONG_CHECK_DIGITS: "cnpj",
        }

    def valid(self, index: int) -> list[str]:
        """A valid row for data row `index`, its e-mail and external code unique to it."""
        roll = self._rng.random()
        if roll < CPF_SHARE:
            return self._customer(index, "cpf")
        return self._customer(index, "cnpj" if roll < CPF_SHARE + CNPJ_SHARE else "none")

    def broken(self, index: int, kind: BrokenKind) -> list[str]:
        """A row for data row `index` with exactly the problem(s) `kind` names."""
        profile = self._profile_of_kind.get(kind, "cpf")
        # Every cell filled, so the named problem is the only thing wrong with the row.
        row = self._customer(index, profile, complete=True)
        self._spoilers[kind](row, index)
        return row

    def _customer(self, index: int, profile: _Profile, *, complete: bool = False) -> list[str]:
        """A valid customer row of the given profile; `complete` forces phone and address."""
        rng = self._rng
        address = self._pools.addresses[rng.getrandbits(ADDRESS_POOL_BITS)]
        row = list(address.row if rng.random() < ADDRESS_SHARE or complete else _BLANK_ROW)
        if profile == "cnpj":
            self._fill_company(row, index)
        else:
            self._fill_person(row, index, profile)
        if rng.random() < PHONE_SHARE or complete:
            self._fill_phone(row, address.ddd, company=profile == "cnpj")
        if rng.random() < NOTES_SHARE:
            row[_NOTES] = rng.choice(
                MULTILINE_NOTES if rng.random() < MULTILINE_NOTES_SHARE else NOTES
            )
        if rng.random() < EXTERNAL_CODE_SHARE:
            row[_EXTERNAL_CODE] = external_code(index)
        return row

    def _fill_person(self, row: list[str], index: int, profile: _Profile) -> None:
        """Name, e-mail and (for CPF profiles) CPF of a person."""
        rng = self._rng
        name, local = self._pools.persons[rng.getrandbits(PERSON_POOL_BITS)]
        row[_NAME] = name
        if rng.random() < EMAIL_SHARE:
            # The row index makes the address unique; locals never end in a digit.
            domain = self._pools.domains[rng.getrandbits(DOMAIN_POOL_BITS)]
            row[_EMAIL] = f"{local}{index + 1}@{domain}"
        if profile == "cpf":
            digits = self._documents.cpf(index)
            row[_DOCUMENT] = format_cpf(digits) if rng.random() < 0.5 else digits

    def _fill_company(self, row: list[str], index: int) -> None:
        """Name, e-mail and CNPJ of a company."""
        rng = self._rng
        name, local, domain = self._pools.companies[rng.getrandbits(COMPANY_POOL_BITS)]
        row[_NAME] = name
        if rng.random() < EMAIL_SHARE:
            row[_EMAIL] = f"{local}{index + 1}@{domain}"
        # Most companies are the head office (0001); some rows are a branch.
        branch = 1 if rng.random() < 0.85 else rng.randint(2, 9)
        digits = self._documents.cnpj(index, branch)
        row[_DOCUMENT] = format_cnpj(digits) if rng.random() < 0.5 else digits

    def _fill_phone(self, row: list[str], ddd: str, *, company: bool) -> None:
        """A celular (9 digits, starting 9) or fixo (8 digits, starting 2-5) phone."""
        rng = self._rng
        row[_DDI] = "+55" if rng.random() < 0.85 else ""
        row[_DDD] = ddd
        if rng.random() < (0.5 if company else 0.8):
            row[_PHONE_TYPE] = "celular"
            # Offsets instead of zero-padded formats: same digits, cheaper.
            row[_PHONE_NUMBER] = str(900_000_000 + rng.getrandbits(27) % 100_000_000)
            return
        row[_PHONE_TYPE] = "fixo"
        row[_PHONE_NUMBER] = str(20_000_000 + rng.getrandbits(26) % 40_000_000)
        if rng.random() < 0.2:
            row[_EXTENSION] = str(rng.randint(1, 9999))

    # Spoilers: each turns a valid row into one with the problem its kind names.

    def _missing_full_name(self, row: list[str], index: int) -> None:
        """Blank full name."""
        row[_NAME] = ""

    def _invalid_email(self, row: list[str], index: int) -> None:
        """An e-mail without domain, with two @ or without @."""
        local = ascii_fold(row[_NAME].split()[0]) + str(index + 1)
        domain = self._rng.choice(self._pools.domains)
        row[_EMAIL] = self._rng.choice((f"{local}@", f"{local}@@{domain}", f"{local}.{domain}"))

    def _cpf_wrong_check_digits(self, row: list[str], index: int) -> None:
        """A CPF whose check digits do not match."""
        digits = _spoil_check_digits(self._documents.cpf(index), self._rng)
        row[_DOCUMENT] = format_cpf(digits) if self._rng.random() < 0.5 else digits

    def _cnpj_wrong_check_digits(self, row: list[str], index: int) -> None:
        """A CNPJ whose check digits do not match."""
        digits = _spoil_check_digits(self._documents.cnpj(index, 1), self._rng)
        row[_DOCUMENT] = format_cnpj(digits) if self._rng.random() < 0.5 else digits

    def _cpf_scientific_notation(self, row: list[str], index: int) -> None:
        """A CPF that Excel turned into 1,23457E+10 (digits lost)."""
        row[_DOCUMENT] = _scientific(self._documents.cpf(index))

    def _invalid_state(self, row: list[str], index: int) -> None:
        """A state that is not a UF."""
        row[_STATE] = INVALID_STATE

    def _invalid_postal_code(self, row: list[str], index: int) -> None:
        """A CEP with too few digits."""
        row[_POSTAL_CODE] = INVALID_POSTAL_CODE

    def _phone_seven_digits(self, row: list[str], index: int) -> None:
        """A phone number one digit short."""
        row[_PHONE_NUMBER] = row[_PHONE_NUMBER][:7]

    def _invalid_ddd(self, row: list[str], index: int) -> None:
        """A +55 phone with a DDD no Brazilian area has."""
        row[_DDI] = "+55"
        row[_DDD] = UNASSIGNED_DDD

    def _full_name_too_long(self, row: list[str], index: int) -> None:
        """A full name of 300 characters (the limit is 255)."""
        parts = [row[_NAME]]
        while sum(map(len, parts)) + len(parts) <= TOO_LONG_NAME_LENGTH:
            parts.append(self._rng.choice(SURNAMES))
        name = " ".join(parts)[:TOO_LONG_NAME_LENGTH]
        # A trailing space would be stripped by the validator, leaving 299 characters.
        row[_NAME] = name if name[-1] != " " else f"{name[:-1]}a"

    def _several_problems(self, row: list[str], index: int) -> None:
        """Bad e-mail, bad UF and bad CEP at once."""
        self._invalid_email(row, index)
        self._invalid_state(row, index)
        self._invalid_postal_code(row, index)


def external_code(index: int) -> str:
    """The legacy-system code of data row `index`: CLI-000001 for the first."""
    return f"CLI-{index + 1:06d}"


def _different_case(email: str, rng: Random) -> str:
    """The same e-mail in another letter case, as a second registration would type it."""
    return email.upper() if rng.random() < 0.7 else email.title()


_T = TypeVar("_T")


class _ReusePool(Generic[_T]):
    """A bounded random sample of earlier values, each handed out at most once."""

    def __init__(self, rng: Random) -> None:
        self._rng = rng
        self._items: list[_T] = []

    def offer(self, item: _T) -> None:
        """Keep `item` as a candidate, replacing a random one once the pool is full."""
        if len(self._items) < REUSE_POOL_SIZE:
            self._items.append(item)
        else:
            self._items[self._rng.randrange(REUSE_POOL_SIZE)] = item

    def take(self) -> _T | None:
        """Remove and return a random candidate, or None if there is none."""
        if not self._items:
            return None
        slot = self._rng.randrange(len(self._items))
        self._items[slot], self._items[-1] = self._items[-1], self._items[slot]
        return self._items.pop()


class _Tally:
    """Counts broken and duplicate rows, and their row numbers for small files."""

    def __init__(self, rows: int) -> None:
        self._rows = rows
        self._keep_numbers = rows <= ROW_NUMBERS_LIMIT
        self._broken: Counter[BrokenKind] = Counter()
        self._broken_numbers: dict[BrokenKind, list[int]] = {k: [] for k in BrokenKind}
        self._duplicate_numbers: dict[Field, list[int]] = {Field.EMAIL: [], Field.EXTERNAL_CODE: []}
        self._duplicates: Counter[Field] = Counter()

    def broken(self, index: int, kind: BrokenKind) -> None:
        """Record data row `index` as broken with `kind`."""
        self._broken[kind] += 1
        if self._keep_numbers:
            self._broken_numbers[kind].append(index + FIRST_DATA_ROW)

    def duplicate(self, index: int, field: Field) -> None:
        """Record data row `index` as repeating an earlier row's `field`."""
        self._duplicates[field] += 1
        if self._keep_numbers:
            self._duplicate_numbers[field].append(index + FIRST_DATA_ROW)

    def summary(self) -> GenerationSummary:
        """The summary of everything recorded."""
        broken = sum(self._broken.values())
        duplicates = sum(self._duplicates.values())
        return GenerationSummary(
            rows=self._rows,
            broken_by_kind={k.value: self._broken[k] for k in BrokenKind},
            duplicate_email_rows=self._duplicates[Field.EMAIL],
            duplicate_external_code_rows=self._duplicates[Field.EXTERNAL_CODE],
            expected_valid=self._rows - broken - duplicates,
            broken_row_numbers={k.value: tuple(v) for k, v in self._broken_numbers.items()},
            duplicate_email_row_numbers=tuple(self._duplicate_numbers[Field.EMAIL]),
            duplicate_external_code_row_numbers=tuple(self._duplicate_numbers[Field.EXTERNAL_CODE]),
        )


class _Bag(Generic[_T]):
    """Items drawn in shuffled rounds, so each gets its exact share even in small files."""

    def __init__(self, rng: Random, items: Sequence[_T]) -> None:
        self._rng = rng
        self._items = items
        self._bag: list[_T] = []

    def draw(self) -> _T:
        """The next item, refilling and reshuffling the bag when it is empty."""
        if not self._bag:
            self._bag = list(self._items)
            self._rng.shuffle(self._bag)
        return self._bag.pop()


def _event_rows(rng: Random, ratio: float) -> Iterator[float]:
    """Row indices for events of `ratio`: one at a random offset in each stretch of 1/ratio rows."""
    # Stratified rather than a coin per row: the count stays within one of ratio * rows, so
    # even a 300-row sample gets its share of every broken kind and duplicate.
    if ratio == 0:
        yield from itertools.repeat(math.inf)
    for k in itertools.count():
        yield int((k + rng.random()) / ratio)


class _RowPlan:
    """Decides each row's fate (valid, broken or duplicate) and builds it."""

    def __init__(
        self, rng: Random, tally: _Tally, broken_ratio: float, duplicate_ratio: float
    ) -> None:
        self._rng = rng
        self._tally = tally
        self._factory = _RowFactory(rng)
        self._kinds = _Bag(rng, tuple(BrokenKind))
        self._duplicate_fields = _Bag(rng, DUPLICATE_FIELDS)
        self._broken_rows = _event_rows(rng, broken_ratio)
        self._duplicate_rows = _event_rows(rng, duplicate_ratio)
        self._emails: _ReusePool[tuple[str, str]] = _ReusePool(rng)
        self._codes: _ReusePool[str] = _ReusePool(rng)

    def rows(self, count: int) -> Iterator[list[str]]:
        """The `count` data rows, in order."""
        valid = self._factory.valid
        next_broken, next_duplicate = next(self._broken_rows), next(self._duplicate_rows)
        for index in range(count):
            # `>=`: an event that lands on a row already taken moves to the next free row.
            if index < next_broken and index < next_duplicate:
                row = valid(index)
            elif index >= next_broken:
                yield self._broken(index)
                next_broken = next(self._broken_rows)
                continue
            else:
                duplicate = self._duplicate(index)
                if duplicate is not None:
                    yield duplicate
                    next_duplicate = next(self._duplicate_rows)
                    continue
                # No earlier row to copy yet: the duplicate waits for a later row.
                row = valid(index)
            # Every 8th valid row is variety enough for duplicates and keeps the pools cheap.
            if index & 7 == 0:
                self._remember(row)
            yield row

    def _broken(self, index: int) -> list[str]:
        """A broken row of the next kind in the bag."""
        kind = self._kinds.draw()
        self._tally.broken(index, kind)
        return self._factory.broken(index, kind)

    def _remember(self, row: list[str]) -> None:
        """Offer a valid row's e-mail and external code as sources for later duplicates."""
        if row[_EMAIL]:
            self._emails.offer((row[_NAME], row[_EMAIL]))
        if row[_EXTERNAL_CODE]:
            self._codes.offer(row[_EXTERNAL_CODE])

    def _duplicate(self, index: int) -> list[str] | None:
        """An otherwise valid row reusing an earlier e-mail or external code, if one is left."""
        if self._duplicate_fields.draw() is Field.EMAIL:
            return self._duplicate_email(index) or self._duplicate_external_code(index)
        return self._duplicate_external_code(index) or self._duplicate_email(index)

    def _duplicate_email(self, index: int) -> list[str] | None:
        """The same customer registered again: earlier name, earlier e-mail in another case."""
        source = self._emails.take()
        if source is None:
            return None
        row = self._factory.valid(index)
        row[_NAME], row[_EMAIL] = source[0], _different_case(source[1], self._rng)
        self._tally.duplicate(index, Field.EMAIL)
        return row

    def _duplicate_external_code(self, index: int) -> list[str] | None:
        """A different customer carrying an earlier row's external code."""
        code = self._codes.take()
        if code is None:
            return None
        row = self._factory.valid(index)
        row[_EXTERNAL_CODE] = code
        self._tally.duplicate(index, Field.EXTERNAL_CODE)
        return row


# ---------------------------------------------------------------------------------------------
# Entry points


def _check_arguments(
    rows: int, delimiter: str, encoding: str, broken_ratio: float, duplicate_ratio: float
) -> None:
    """Raise ValueError for arguments that cannot give a well-formed file."""
    if rows < 0:
        raise ValueError(f"rows must be >= 0, got {rows}")
    if len(delimiter) != 1 or delimiter in '"\r\n' or delimiter.isalnum():
        raise ValueError(f"delimiter must be one punctuation character, got {delimiter!r}")
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {ENCODINGS}, got {encoding!r}")
    if not (0 <= broken_ratio <= 1 and 0 <= duplicate_ratio <= 1):
        raise ValueError("broken_ratio and duplicate_ratio must be between 0 and 1")
    if broken_ratio + duplicate_ratio > 1:
        raise ValueError("broken_ratio + duplicate_ratio must not exceed 1")


def generate(
    out: BinaryIO,
    *,
    rows: int,
    seed: int,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
    broken_ratio: float = 0.04,
    duplicate_ratio: float = 0.01,
) -> GenerationSummary:
    """Stream a header and `rows` customer rows to `out`; the same arguments give the same bytes."""
    _check_arguments(rows, delimiter, encoding, broken_ratio, duplicate_ratio)
    rng = Random(seed)
    tally = _Tally(rows)
    plan = _RowPlan(rng, tally, broken_ratio, duplicate_ratio)
    text = io.TextIOWrapper(out, encoding=encoding, newline="")
    try:
        # CRLF and minimal quoting: what Excel writes, and cells with ; , " or \n get quoted.
        writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow([TEMPLATE_HEADERS[f] for f in TEMPLATE_FIELDS])
        writer.writerows(plan.rows(rows))
        text.flush()
    finally:
        # Detach so dropping the wrapper does not close the caller's stream.
        text.detach()
    return tally.summary()


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command-line arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.customers_file",
        description="Write a seeded, realistic customer CSV in the import template layout.",
    )
    parser.add_argument("out", type=Path, help="file to write")
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--delimiter", default=";")
    parser.add_argument("--encoding", default="utf-8-sig", choices=ENCODINGS)
    parser.add_argument("--broken-ratio", type=float, default=0.04)
    parser.add_argument("--duplicate-ratio", type=float, default=0.01)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Write the file, print the summary as JSON on stdout and the throughput on stderr."""
    args = _parse_args(argv)
    started = time.perf_counter()
    with args.out.open("wb", buffering=1 << 20) as out:
        summary = generate(
            out,
            rows=args.rows,
            seed=args.seed,
            delimiter=args.delimiter,
            encoding=args.encoding,
            broken_ratio=args.broken_ratio,
            duplicate_ratio=args.duplicate_ratio,
        )
    elapsed = time.perf_counter() - started
    size = args.out.stat().st_size
    print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    print(
        f"{args.rows} rows, {size} bytes ({size / max(args.rows, 1):.1f} bytes/row) "
        f"in {elapsed:.2f} s ({args.rows / elapsed:,.0f} rows/s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
