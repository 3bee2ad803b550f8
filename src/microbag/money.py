"""Money as integer minor units plus an ISO 4217 code, formatted with Babel."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

# Largest amount in minor units anywhere in microbag: money columns are BIGINT, and
# 2**53 - 1 is the largest integer every JSON client (IEEE doubles) reads exactly.
# ₩9 quadrillion or $90 trillion: no real order, credit limit or price comes near it.
MAX_MINOR = 2**53 - 1


@lru_cache(maxsize=1)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def is_currency(code: str) -> bool:
    return isinstance(code, str) and code.upper() == code and code in _known_currencies()


def minor_digits(currency: str) -> int:
    """Decimal places of the currency's minor unit (JPY and KRW have none)."""
    return int(get_currency_precision(currency))


def to_minor(amount: Decimal | str | float, currency: str) -> int:
    """Convert a major-unit amount to minor units, rejecting sub-minor fractions."""
    value = Decimal(str(amount)) * (Decimal(10) ** minor_digits(currency))
    if value != value.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {currency} allows")
    return int(value)


def to_major(amount_minor: int, currency: str) -> Decimal:
    return Decimal(amount_minor).scaleb(-minor_digits(currency))


@dataclass(frozen=True, order=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if not is_currency(self.currency):
            raise ValueError(f"unknown currency {self.currency!r}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount_minor * quantity, self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def format(self, locale: str = "en_US") -> str:
        return format_money(self.amount_minor, self.currency, locale)

    def as_dict(self) -> dict[str, object]:
        return {"amount_minor": self.amount_minor, "currency": self.currency}


def format_money(amount_minor: int, currency: str, locale: str = "en_US") -> str:
    return str(format_currency(to_major(amount_minor, currency), currency, locale=locale))
