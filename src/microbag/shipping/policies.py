"""Carriers, their tracking-link templates and loose tracking-number checks.

Pure rules: no database, no web layer. The checks are deliberately loose (a shape per
carrier, not check digits) so that a real number is never refused; they catch typing
mistakes such as a FedEx number entered under UPS or a pasted URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from microbag.errors import ErrorItem


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    # Placeholder {number} is replaced by the URL-quoted, normalised tracking number.
    tracking_url: str
    # Full-match pattern on the normalised number (upper case, no spaces or hyphens).
    pattern: str


CARRIERS: dict[str, Carrier] = {
    c.code: c
    for c in (
        Carrier(
            "ups",
            "UPS",
            "https://www.ups.com/track?tracknum={number}",
            r"1Z[0-9A-Z]{16}|\d{9,26}|T\d{10}",
        ),
        Carrier(
            "fedex",
            "FedEx",
            "https://www.fedex.com/fedextrack/?trknbr={number}",
            r"\d{12}|\d{15}|\d{20}|\d{22}",
        ),
        Carrier(
            "dhl_express",
            "DHL Express",
            "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={number}",
            r"\d{10,11}|JD\d{18}",
        ),
        Carrier(
            "usps",
            "USPS",
            "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
            r"\d{20,26}|[A-Z]{2}\d{9}US",
        ),
        Carrier(
            "royal_mail",
            "Royal Mail",
            "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
            r"[A-Z]{2}\d{9}GB|[0-9A-Z]{16}",
        ),
        Carrier(
            "colissimo",
            "La Poste/Colissimo",
            "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
            r"\d[A-Z]\d{11}|[A-Z]{2}\d{9}FR",
        ),
        Carrier(
            "yamato",
            "Yamato",
            "https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01={number}",
            r"\d{12}",
        ),
        Carrier(
            "sagawa",
            "Sagawa",
            "https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo={number}",
            r"\d{10,12}",
        ),
        Carrier(
            "japan_post",
            "Japan Post",
            "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={number}&locale=en",
            r"[A-Z]{2}\d{9}JP|\d{11,12}",
        ),
        Carrier(
            "cj_logistics",
            "CJ Logistics",
            "https://www.cjlogistics.com/en/tool/parcel/tracking?gnbInvcNo={number}",
            r"\d{10,12}",
        ),
        Carrier(
            "sf_express",
            "SF Express",
            "https://www.sf-express.com/we/ow/chn/en/waybill/waybill-detail/{number}",
            r"SF\d{12,13}|\d{12}",
        ),
        Carrier(
            "aramex",
            "Aramex",
            "https://www.aramex.com/us/en/track/results?ShipmentNumber={number}",
            r"\d{10,12}",
        ),
    )
}

# Any other carrier: a free-text reference, no link.
OTHER_PATTERN = r"[0-9A-Z./]{4,40}"
_SEPARATORS = re.compile(r"[\s\-]+")


def normalise_tracking_number(raw: str) -> str:
    """Upper case without spaces or hyphens, as carriers print them in groups."""
    return _SEPARATORS.sub("", raw).upper()


def tracking_number_errors(
    carrier_code: str, raw: str, field: str = "tracking_number"
) -> list[ErrorItem]:
    """Errors for a tracking number entered for a carrier ("other" is checked loosely)."""
    number = normalise_tracking_number(raw)
    if not number:
        return [ErrorItem("tracking_number_required", "Enter the tracking number.", field=field)]
    carrier = CARRIERS.get(carrier_code)
    if carrier is None:
        if carrier_code != "other":
            return [
                ErrorItem("unknown_carrier", f"Unknown carrier {carrier_code!r}.", field="carrier")
            ]
        if re.fullmatch(OTHER_PATTERN, number) is None:
            return [
                ErrorItem("invalid_tracking_number", "Use 4 to 40 letters and digits.", field=field)
            ]
        return []
    if re.fullmatch(carrier.pattern, number) is None:
        return [
            ErrorItem(
                "invalid_tracking_number",
                f"{raw.strip()!r} does not look like a {carrier.name} tracking number.",
                field=field,
            )
        ]
    return []


def tracking_url(carrier_code: str, raw: str) -> str | None:
    """The carrier's public tracking page for the number, or None for other carriers."""
    carrier = CARRIERS.get(carrier_code)
    if carrier is None:
        return None
    return carrier.tracking_url.replace("{number}", quote(normalise_tracking_number(raw), safe=""))
