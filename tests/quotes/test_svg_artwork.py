"""Artwork SVG is parsed with defusedxml and must have an ``<svg>`` root."""

from __future__ import annotations

import pytest

from microbag.quotes import policies as p
from tests.bombs import MB, measured

from .test_api import error_codes, request_quote

MAX = 10 * MB
SVG_NS = b'xmlns="http://www.w3.org/2000/svg"'

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY lol "lol">\n'
    + b"".join(
        b'<!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n<svg "
    + SVG_NS
    + b"><text>&lol9;</text></svg>"
)
EXTERNAL = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<svg " + SVG_NS + b"><text>&x;</text></svg>"
)
ILLUSTRATOR = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    b"<svg " + SVG_NS + b' viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
)


def check(data: bytes):
    return p.validate_artwork("image/svg+xml", len(data), data, MAX)


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL], ids=["laughs", "external"])
def test_entity_bombs_are_refused_fast_and_small(data):
    with measured() as cost:
        problem = check(data)
    assert problem is not None
    assert (problem[0].code, problem[1]) == ("artwork_unsafe_svg", 422)
    assert cost.seconds < 1.0
    assert cost.peak_bytes < 20 * MB


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body><svg " + SVG_NS + b"></svg></body></html>",  # svg inside, not the root
        b"<svg " + SVG_NS + b"><unclosed></svg>",  # not well-formed
        b"<!-- <svg> --><div/>",
        b"<p>this mentions <svg but is not one</p>",
    ],
    ids=["html_root", "broken", "comment", "text"],
)
def test_root_must_be_svg_and_xml_well_formed(data):
    problem = check(data)
    assert problem is not None
    assert (problem[0].code, problem[1]) == ("artwork_type_mismatch", 422)


@pytest.mark.parametrize(
    "data",
    [
        ILLUSTRATOR,
        b"\xef\xbb\xbf<svg " + SVG_NS + b"/>",
        b"<svg/>",  # no namespace: still an svg root
        b"<svg:svg xmlns:svg='http://www.w3.org/2000/svg'/>",
    ],
    ids=["illustrator", "bom", "no_namespace", "prefixed"],
)
def test_ordinary_svgs_pass(data):
    assert check(data) is None


def test_upload_of_an_svg_bomb_is_422(client, world):
    quote_id = request_quote(client, world)
    resp = client.post(
        f"/api/v1/quotes/{quote_id}/artworks",
        files={"file": ("logo.svg", BILLION_LAUGHS, "image/svg+xml")},
        headers=world.auth("buyer@a.test"),
    )
    assert (resp.status_code, error_codes(resp)) == (422, ["artwork_unsafe_svg"])
    resp = client.post(
        f"/api/v1/quotes/{quote_id}/artworks",
        files={"file": ("logo.svg", ILLUSTRATOR, "image/svg+xml")},
        headers=world.auth("buyer@a.test"),
    )
    assert resp.status_code == 201, resp.text
