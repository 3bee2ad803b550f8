"""A buyer company's tax identity (pure rules): its VAT number and its US resale certificate.

VAT numbers are checked with python-stdnum and stored compact, upper case, with their country
prefix: EU member states (``stdnum.eu.vat``, Greece as EL, Northern Ireland as XI), the UK
(``stdnum.gb.vat``, GB), Switzerland (``stdnum.ch.vat`` / ``stdnum.ch.uid``, CHE) and Norway
(``stdnum.no.mva``, NO ... MVA). The prefix must be the company's country (EL for GR, XI or
GB for GB; a few territories below use a neighbour's numbers).

A US resale certificate is a number, the issuing state (or territory) and an expiry date,
all three or none; one that has expired cannot be entered (one on file that expires later
is kept, and shown as expired).

Pure: no database, no web layer; "today" is passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from babel import Locale
from stdnum import exceptions as stdnum_errors
from stdnum.ch import uid as ch_uid
from stdnum.ch import vat as ch_vat
from stdnum.eu import vat as eu_vat
from stdnum.gb import vat as gb_vat
from stdnum.no import mva as no_mva

from microbag.errors import ErrorItem

TAX_FIELDS = (
    "vat_number",
    "resale_certificate_number",
    "resale_certificate_state",
    "resale_certificate_expires",
)
VAT_MAX_LENGTH = 20  # the column's width; the longest compact form is CHE123456789MWST (16)
RESALE_NUMBER_MAX_LENGTH = 40
EXPIRY_WARNING_DAYS = 30

# The VAT prefixes microbag checks, each with the countries (ISO 3166-1) whose companies use
# it. EU prefixes are ISO codes except Greece (EL); XI is Northern Ireland (in the UK, GB),
# Monaco uses French VAT numbers and the Isle of Man British ones.
VAT_PREFIX_COUNTRIES: dict[str, frozenset[str]] = {
    # stdnum's member states: ISO codes (lower case), Greece as gr, Northern Ireland as xi.
    **{c.upper(): frozenset({c.upper()}) for c in eu_vat.MEMBER_STATES if c not in ("gr", "xi")},
    "EL": frozenset({"GR"}),
    "XI": frozenset({"GB"}),
    "FR": frozenset({"FR", "MC"}),
    "GB": frozenset({"GB", "IM"}),
    "CHE": frozenset({"CH"}),
    "NO": frozenset({"NO"}),
}
# Prefixes that are not the ISO code of the country they name.
_PREFIX_NAMES = {
    "EL": "Greece",
    "XI": "Northern Ireland",
    "CHE": "Switzerland",
    "GB": "the United Kingdom",
    "NL": "the Netherlands",
}
_SWISS_SUFFIXES = ("MWST", "TVA", "IVA", "TPV")
_VAT_SHAPE = re.compile(r"[A-Z0-9]+")

# US states, the District of Columbia and the territories that issue resale certificates.
US_STATES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "AS": "American Samoa",
    "GU": "Guam",
    "MP": "Northern Mariana Islands",
    "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
}
_RESALE_NUMBER = re.compile(r"[A-Z0-9-]{1,40}")


@dataclass(frozen=True)
class TaxIdentity:
    """The four stored fields, normalised (None: not on file)."""

    vat_number: str | None = None
    resale_certificate_number: str | None = None
    resale_certificate_state: str | None = None
    resale_certificate_expires: date | None = None

    def fields(self) -> dict[str, str | date | None]:
        return {name: getattr(self, name) for name in TAX_FIELDS}

    def resale(self) -> tuple[str | None, str | None, date | None]:
        return (
            self.resale_certificate_number,
            self.resale_certificate_state,
            self.resale_certificate_expires,
        )


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    return {str(code): str(name) for code, name in Locale("en").territories.items()}


def country_name(code: str) -> str:
    """The English name of an ISO country code (the code itself when unknown)."""
    return _country_names().get(code, code)


def _blank(value: str | None) -> str | None:
    """None for a missing or empty text (clearing a field), else the stripped text."""
    if value is None:
        return None
    text = value.strip()
    return text or None


def vat_prefix(compact: str) -> str:
    """The country prefix of a compact VAT number: CHE for Switzerland, else two letters."""
    return "CHE" if compact.startswith("CHE") else compact[:2]


def _compact(number: str) -> str:
    return re.sub(r"[\s.\-/:,]", "", number).upper()


def _validated(prefix: str, compact: str) -> str:
    """The stored form of ``compact`` under ``prefix``; raises stdnum's ValidationError."""
    if prefix == "GB":
        return "GB" + gb_vat.validate(compact)
    if prefix == "CHE":
        if compact.endswith(_SWISS_SUFFIXES):
            return ch_vat.validate(compact)
        return ch_uid.validate(compact)  # the UID alone (CHE + 9 digits)
    if prefix == "NO":
        digits = compact.removeprefix("NO").removesuffix("MVA")
        return "NO" + no_mva.validate(digits + "MVA")
    return eu_vat.validate(compact)


def _why(exc: stdnum_errors.ValidationError) -> str:
    if isinstance(exc, stdnum_errors.InvalidChecksum):
        return "its check digits do not match"
    if isinstance(exc, stdnum_errors.InvalidLength):
        return "it has the wrong number of characters"
    return "it does not have the country's format"


def check_vat_number(
    number: str | None, company_country: str
) -> tuple[str | None, list[ErrorItem]]:
    """The stored form of a VAT number (None: none) and why it cannot be stored.

    ``company_country`` is the company's ISO country; the number's prefix must be that
    country's (see VAT_PREFIX_COUNTRIES). Spaces, dots and dashes are dropped, letters
    upper-cased; GR is accepted for EL.
    """
    text = _blank(number)
    if text is None:
        return None, []
    compact = _compact(text)
    if _VAT_SHAPE.fullmatch(compact) is None or not compact[:2].isalpha():
        return None, [
            ErrorItem(
                "invalid_vat_number",
                f"{text!r} is not a VAT number: its country prefix, then letters and digits "
                "(e.g. DE136695976)",
                field="vat_number",
            )
        ]
    if compact.startswith("GR"):  # Greece's VAT prefix is EL
        compact = "EL" + compact[2:]
    prefix = vat_prefix(compact)
    if prefix not in VAT_PREFIX_COUNTRIES:
        return None, [
            ErrorItem(
                "unsupported_vat_country",
                f"VAT numbers starting {prefix} are not checked: microbag takes EU, UK (GB, XI), "
                "Swiss (CHE) and Norwegian (NO) VAT numbers",
                field="vat_number",
            )
        ]
    countries = VAT_PREFIX_COUNTRIES[prefix]
    named = _PREFIX_NAMES.get(prefix) or country_name(prefix)
    try:
        stored = _validated(prefix, compact)
    except stdnum_errors.ValidationError as exc:
        return None, [
            ErrorItem(
                "invalid_vat_number",
                f"{text!r} is not a valid VAT number of {named}: {_why(exc)}",
                field="vat_number",
            )
        ]
    if len(stored) > VAT_MAX_LENGTH or _VAT_SHAPE.fullmatch(stored) is None:
        return None, [
            ErrorItem(
                "invalid_vat_number",
                f"{text!r} is not a valid VAT number of {named}",
                field="vat_number",
            )
        ]
    if company_country not in countries:
        return stored, [
            ErrorItem(
                "vat_country_mismatch",
                f"{stored} is a VAT number of {named}, the company is in "
                f"{country_name(company_country)}",
                field="vat_number",
            )
        ]
    return stored, []


def check_resale_certificate(
    number: str | None,
    state: str | None,
    expires: date | None,
    *,
    today: date,
    on_file: tuple[str | None, str | None, date | None] | None = None,
) -> tuple[tuple[str | None, str | None, date | None], list[ErrorItem]]:
    """A US resale certificate normalised (number and state upper case) and its problems.

    All three parts or none. An expiry before ``today`` is refused, unless the certificate
    is the one ``on_file`` unchanged (it stays, shown as expired, until replaced or cleared).
    """
    num, st = _blank(number), _blank(state)
    num = num.upper() if num is not None else None
    st = st.upper() if st is not None else None
    normalised = (num, st, expires)
    errors: list[ErrorItem] = []
    if num is None and st is None and expires is None:
        return normalised, []
    if num is not None and _RESALE_NUMBER.fullmatch(num) is None:
        errors.append(
            ErrorItem(
                "invalid_resale_certificate",
                f"a resale certificate number is 1 to {RESALE_NUMBER_MAX_LENGTH} letters, "
                "digits and dashes",
                field="resale_certificate_number",
            )
        )
    if st is not None and st not in US_STATES:
        errors.append(
            ErrorItem(
                "invalid_resale_state",
                f"{st!r} is not a US state or territory code (e.g. CA, NY, PR)",
                field="resale_certificate_state",
            )
        )
    missing = [
        (name, words)
        for name, words, value in (
            ("resale_certificate_number", "the certificate number", num),
            ("resale_certificate_state", "the issuing state", st),
            ("resale_certificate_expires", "the expiry date", expires),
        )
        if value is None
    ]
    for name, words in missing:
        errors.append(
            ErrorItem(
                "resale_certificate_incomplete",
                f"a resale certificate needs its number, issuing state and expiry date: "
                f"{words} is missing",
                field=name,
            )
        )
    if expires is not None and expires < today and normalised != on_file:
        errors.append(
            ErrorItem(
                "resale_certificate_expired",
                f"the resale certificate expired on {expires.isoformat()}",
                field="resale_certificate_expires",
            )
        )
    return normalised, errors


def check_tax_identity(
    company_country: str,
    *,
    vat_number: str | None,
    resale_certificate_number: str | None,
    resale_certificate_state: str | None,
    resale_certificate_expires: date | None,
    today: date,
    on_file: TaxIdentity | None = None,
) -> tuple[TaxIdentity, list[ErrorItem]]:
    """The identity to store and every problem with it at once (empty: store it)."""
    vat, errors = check_vat_number(vat_number, company_country)
    (number, state, expires), resale_errors = check_resale_certificate(
        resale_certificate_number,
        resale_certificate_state,
        resale_certificate_expires,
        today=today,
        on_file=on_file.resale() if on_file is not None else None,
    )
    return TaxIdentity(vat, number, state, expires), errors + resale_errors


# ---- how it reads ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaxStatus:
    """The tax identity as pages, the API and the CLI show it."""

    vat: str | None  # "VAT DE136695976 (valid)"
    resale: str | None  # "resale certificate CA-123 expires 2027-03-01"
    resale_expired: bool
    warning: str | None  # expired, or expires within the warning window

    def lines(self) -> list[str]:
        return [line for line in (self.vat, self.resale) if line]

    @property
    def empty(self) -> bool:
        return self.vat is None and self.resale is None


def resale_expired(expires: date | None, today: date) -> bool:
    return expires is not None and expires < today


def tax_status(
    identity: TaxIdentity,
    company_country: str,
    *,
    today: date,
    warn_within_days: int = EXPIRY_WARNING_DAYS,
) -> TaxStatus:
    """What to show: the VAT number with whether it checks out, the resale certificate with its
    expiry, and a warning when the certificate has expired or expires within the window."""
    vat = None
    if identity.vat_number:
        stored, errors = check_vat_number(identity.vat_number, company_country)
        if not errors:
            verdict = "valid"
        elif errors[0].code == "vat_country_mismatch":
            verdict = "valid, not the company's country"
        else:
            verdict = "invalid"
        vat = f"VAT {stored or identity.vat_number} ({verdict})"
    number, state, expires = identity.resale()
    resale = None
    warning = None
    expired = resale_expired(expires, today)
    if number:
        shown = number if not state or number.startswith(f"{state}-") else f"{state}-{number}"
        name = f"resale certificate {shown}"
        if expires is None:
            resale = f"{name} (no expiry date on file)"
        elif expired:
            resale = f"{name} expired {expires.isoformat()}"
            warning = f"The resale certificate expired on {expires.isoformat()}."
        else:
            resale = f"{name} expires {expires.isoformat()}"
            days = (expires - today).days
            if days <= warn_within_days:
                when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
                warning = f"The resale certificate expires {when} ({expires.isoformat()})."
    return TaxStatus(vat=vat, resale=resale, resale_expired=expired, warning=warning)
