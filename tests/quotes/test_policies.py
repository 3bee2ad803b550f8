"""Pure quote rules: statuses, roles, answers, artwork files."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from microbag.accounts.principal import Principal
from microbag.quotes import policies as p

TODAY = date(2026, 3, 10)


def principal(role: str, staff: bool = False) -> Principal:
    return Principal(1, f"{role}@x.test", role, None if staff else 7)


# ---- statuses -----------------------------------------------------------------------------------


def test_answered_quote_expires_after_its_last_valid_day():
    assert p.effective_status("answered", TODAY, TODAY) == "answered"
    assert p.effective_status("answered", TODAY, TODAY + timedelta(days=1)) == "expired"
    assert p.effective_status("answered", None, TODAY) == "answered"


@pytest.mark.parametrize("status", ["requested", "accepted", "declined", "cancelled"])
def test_only_answered_quotes_expire(status):
    assert p.effective_status(status, TODAY - timedelta(days=30), TODAY) == status


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("answered", None),
        ("accepted", None),  # a replay: the same order comes back
        ("requested", "quote_not_answered"),
        ("expired", "quote_expired"),
        ("declined", "quote_closed"),
        ("cancelled", "quote_closed"),
    ],
)
def test_accept(status, code):
    err = p.check_accept(status)
    assert (err.code if err else None) == code


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("answered", None),
        ("declined", None),
        ("requested", "quote_not_answered"),
        ("expired", "quote_expired"),
        ("accepted", "quote_closed"),
        ("cancelled", "quote_closed"),
    ],
)
def test_decline(status, code):
    err = p.check_decline(status)
    assert (err.code if err else None) == code


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("requested", None),
        ("cancelled", None),
        ("answered", "quote_already_answered"),
        ("expired", "quote_already_answered"),
        ("accepted", "quote_closed"),
        ("declined", "quote_closed"),
    ],
)
def test_cancel(status, code):
    err = p.check_cancel(status)
    assert (err.code if err else None) == code


@pytest.mark.parametrize(
    ("status", "ok"),
    [
        ("requested", True),
        ("answered", True),  # a revision
        ("expired", True),  # a renewal
        ("accepted", False),
        ("declined", False),
        ("cancelled", False),
    ],
)
def test_answer(status, ok):
    assert (p.check_answer(status) is None) is ok


def test_artwork_only_before_the_answer():
    assert p.check_add_artwork("requested") is None
    for status in ("answered", "accepted", "expired", "declined", "cancelled"):
        err = p.check_add_artwork(status)
        assert err is not None and err.code == "quote_not_open"


# ---- roles --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "staff", "may_request", "may_answer"),
    [
        ("owner", False, True, False),
        ("buyer", False, True, False),
        ("viewer", False, False, False),
        ("admin", True, False, True),
        ("sales", True, False, True),
        ("merchandiser", True, False, False),
    ],
)
def test_who_may_do_what(role, staff, may_request, may_answer):
    who = principal(role, staff)
    assert p.may_request(who) is may_request
    assert p.may_answer(who) is may_answer
    assert p.may_see_all(who) is staff


# ---- answers ------------------------------------------------------------------------------------

QTY = {1: 2, 2: 10}


def codes(errors):
    return sorted(e.code for e in errors)


def test_valid_answer_prices_every_line():
    prices, errors = p.validate_answer(
        QTY, [p.AnswerLine(1, 5_000), p.AnswerLine(2, 0)], 30, TODAY + timedelta(days=14), TODAY
    )
    assert errors == []
    assert prices == {1: 5_000, 2: 0}


def test_answer_must_price_every_line_once_and_only_known_lines():
    _, errors = p.validate_answer(
        QTY,
        [p.AnswerLine(1, 100), p.AnswerLine(1, 200), p.AnswerLine(9, 100)],
        30,
        TODAY + timedelta(days=1),
        TODAY,
    )
    assert codes(errors) == ["duplicate_line", "missing_unit_price", "unknown_line"]
    assert {e.line for e in errors} == {1, 2, 9}


def test_negative_unit_price_is_refused_with_its_line():
    _, errors = p.validate_answer(
        QTY, [p.AnswerLine(1, -1), p.AnswerLine(2, 1)], 30, TODAY + timedelta(days=1), TODAY
    )
    assert [(e.code, e.line) for e in errors] == [("invalid_unit_price", 1)]


@pytest.mark.parametrize(("days", "ok"), [(0, False), (1, True), (365, True), (366, False)])
def test_lead_time_bounds(days, ok):
    _, errors = p.validate_answer(
        QTY, [p.AnswerLine(1, 1), p.AnswerLine(2, 1)], days, TODAY + timedelta(days=5), TODAY
    )
    assert (errors == []) is ok
    if not ok:
        assert codes(errors) == ["invalid_lead_time"]


@pytest.mark.parametrize(
    ("valid_until", "ok"),
    [
        (TODAY - timedelta(days=1), False),
        (TODAY, False),
        (TODAY + timedelta(days=1), True),
        (date(2027, 3, 10), True),
        (date(2027, 3, 11), False),
    ],
)
def test_validity_in_the_future_and_within_a_year(valid_until, ok):
    _, errors = p.validate_answer(
        QTY, [p.AnswerLine(1, 1), p.AnswerLine(2, 1)], 10, valid_until, TODAY
    )
    assert (errors == []) is ok
    if not ok:
        assert codes(errors) == ["invalid_valid_until"]


def test_a_year_from_29_february():
    assert p.add_years(date(2028, 2, 29), 1) == date(2029, 2, 28)


def test_total_that_would_overflow_is_refused():
    _, errors = p.validate_answer(
        {1: 100_000},
        [p.AnswerLine(1, p.MAX_UNIT_PRICE_MINOR)],
        10,
        TODAY + timedelta(days=3),
        TODAY,
    )
    assert codes(errors) == ["quote_total_too_large"]


# ---- artwork ------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
SVG = b'\xef\xbb\xbf<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n"
MAX = 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("declared", "normalized"),
    [
        ("image/PNG", "image/png"),
        ("image/jpg", "image/jpeg"),
        ("image/svg+xml; charset=utf-8", "image/svg+xml"),
        (None, ""),
    ],
)
def test_content_type_normalized(declared, normalized):
    assert p.normalize_content_type(declared) == normalized


@pytest.mark.parametrize(
    ("ctype", "data"),
    [
        ("image/png", PNG),
        ("image/jpeg", JPEG),
        ("application/pdf", PDF),
        ("image/svg+xml", SVG),
        ("application/postscript", EPS),
        ("application/illustrator", PDF),
    ],
)
def test_allowed_artwork(ctype, data):
    assert p.validate_artwork(ctype, len(data), data, MAX) is None


@pytest.mark.parametrize(
    ("ctype", "data"),
    [
        ("image/png", JPEG),
        ("image/jpeg", PNG),
        ("application/pdf", b"MZ\x90\x00 not a pdf"),
        ("image/svg+xml", b"plain text, no markup"),
        ("application/postscript", PNG),
    ],
)
def test_content_must_match_declared_type(ctype, data):
    problem = p.validate_artwork(ctype, len(data), data, MAX)
    assert problem is not None
    assert (problem[0].code, problem[1]) == ("artwork_type_mismatch", 422)


@pytest.mark.parametrize("ctype", ["application/x-msdownload", "text/html", "image/gif", ""])
def test_type_not_allowed(ctype):
    problem = p.validate_artwork(ctype, len(PNG), PNG, MAX)
    assert problem is not None
    assert (problem[0].code, problem[1]) == ("artwork_type_not_allowed", 422)


def test_size_limit_is_inclusive():
    assert p.validate_artwork("image/png", MAX, PNG, MAX) is None
    problem = p.validate_artwork("image/png", MAX + 1, PNG, MAX)
    assert problem is not None
    assert (problem[0].code, problem[1]) == ("artwork_too_large", 413)


def test_empty_file_refused():
    problem = p.validate_artwork("image/png", 0, b"", MAX)
    assert problem is not None and problem[0].code == "artwork_empty"


@pytest.mark.parametrize(
    ("raw", "ctype", "expected"),
    [
        ("logo.png", "image/png", "logo.png"),
        ("LOGO.PNG", "image/png", "LOGO.png"),
        ("../../etc/passwd", "image/png", "passwd.png"),
        ("C:\\Users\\me\\logo final.jpeg", "image/jpeg", "logo final.jpeg"),
        ("evil.exe", "image/png", "evil.exe.png"),
        ('a"b<script>.svg', "image/svg+xml", "a_b_script.svg"),
        ("\x00\x1f.htaccess", "application/pdf", "htaccess.pdf"),
        ("", "application/pdf", "artwork.pdf"),
        (None, "image/jpeg", "artwork.jpg"),
        ("ロゴ.png", "image/png", "ロゴ.png"),
        ("x" * 500 + ".pdf", "application/pdf", "x" * 116 + ".pdf"),
        ("art\u202ework.png", "image/png", "artwork.png"),
    ],
)
def test_filenames_sanitized(raw, ctype, expected):
    assert p.sanitize_filename(raw, ctype) == expected
