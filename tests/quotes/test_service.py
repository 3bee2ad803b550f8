"""Quote use cases through the service layer (no HTTP)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from microbag.catalog.models import Sku
from microbag.errors import DomainError
from microbag.quotes import service
from microbag.quotes.models import Quote, QuoteArtwork
from microbag.quotes.schemas import QuoteOut

from .conftest import JPEG, PDF, PNG, expire


def codes(exc: pytest.ExceptionInfo[DomainError]) -> list[tuple[str, int | None]]:
    return [(i.code, i.line) for i in exc.value.items]


# ---- request ------------------------------------------------------------------------------------


def test_request_below_moq_in_the_company_currency(db, world, who):
    with db.session(write=True) as s:
        q = service.request_quote(
            s,
            who("buyer@a.test"),
            [{"sku": "MC-001-GLD", "quantity": 2}, {"sku": "CB-001-TAN", "quantity": 1}],
            notes="  sample run for our Paris store  ",
        )
        assert q.status == "requested"
        assert q.currency == "EUR"
        assert q.company_id == world.company_a
        assert [(ln.line_no, ln.sku_code, ln.quantity) for ln in q.lines] == [
            (1, "MC-001-GLD", 2),
            (2, "CB-001-TAN", 1),
        ]
        assert q.lines[0].sku_id == world.skus["MC-001-GLD"]
        assert all(ln.unit_price_minor is None for ln in q.lines)
        assert q.notes == "sample run for our Paris store"
    with db.session(write=True) as s:
        q = service.request_quote(s, who("owner@b.test"), [{"sku": "MT-001-RED", "quantity": 1}])
        assert q.currency == "USD"


def test_oem_request_keeps_the_customization(db, world, who):
    with db.session(write=True) as s:
        q = service.request_quote(
            s,
            who("owner@a.test"),
            [{"sku": "MC-001-BLK", "quantity": 300}],
            kind="oem",
            customization={
                "logo": "gold foil logo",
                "packaging": "branded dust bag",
                "color": "Pantone 186 C",
                "material": "lambskin",
            },
        )
        out = QuoteOut.of(q, service.today_utc())
    assert out.kind == "oem"
    assert out.customization.model_dump() == {
        "logo": "gold foil logo",
        "packaging": "branded dust bag",
        "color": "Pantone 186 C",
        "material": "lambskin",
    }
    assert out.total is None


def test_oem_request_needs_a_customization_or_notes(db, world, who):
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.request_quote(
            s, who("buyer@a.test"), [{"sku": "MC-001-GLD", "quantity": 50}], "oem"
        )
    assert codes(exc) == [("customization_required", None)]
    with db.session(write=True) as s:
        q = service.request_quote(
            s, who("buyer@a.test"), [{"sku": "MC-001-GLD", "quantity": 50}], "oem", notes="logo"
        )
        assert q.kind == "oem"


def test_unknown_inactive_and_duplicate_skus_are_reported_per_line(db, world, who):
    with db.session(write=True) as s:
        s.get(Sku, world.skus["CB-001-TAN"]).lifecycle = "discontinued"
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.request_quote(
            s,
            who("buyer@a.test"),
            [
                {"sku": "MC-001-GLD", "quantity": 1},
                {"sku": "NOPE-1", "quantity": 1},
                {"sku": "CB-001-TAN", "quantity": 1},
                {"sku": "MC-001-GLD", "quantity": 4},
            ],
        )
    assert exc.value.status == 422
    assert codes(exc) == [("unknown_sku", 2), ("unknown_sku", 3), ("duplicate_sku", 4)]
    with db.session() as s:
        assert s.scalar(select(Quote.id)) is None


@pytest.mark.parametrize("email", ["viewer@a.test", "admin@seller.test", "sales@seller.test"])
def test_only_buyer_writers_request(db, world, who, email):
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.request_quote(s, who(email), [{"sku": "MC-001-GLD", "quantity": 1}])
    assert exc.value.status == 403


# ---- artwork ------------------------------------------------------------------------------------


def test_artwork_stored_with_digest_and_size(db, world, who, make_quote):
    quote_id = make_quote()
    with db.session(write=True) as s:
        art = service.add_artwork(
            s, who("buyer@a.test"), quote_id, "../Logo Final.PNG", "image/png", PNG
        )
        art_id = art.id
    with db.session() as s:
        got = service.get_artwork(s, who("viewer@a.test"), quote_id, art_id)
        assert got.data == PNG
        assert got.size_bytes == len(PNG)
        assert got.sha256 == hashlib.sha256(PNG).hexdigest()
        assert got.filename == "Logo Final.png"
        assert got.content_type == "image/png"
        # staff see it too; another company does not
        assert service.get_artwork(s, who("sales@seller.test"), quote_id, art_id).id == art_id
        with pytest.raises(DomainError) as exc:
            service.get_artwork(s, who("owner@b.test"), quote_id, art_id)
        assert exc.value.status == 404


def test_artwork_too_large(db, world, who, make_quote):
    quote_id = make_quote()
    big = PNG + b"\x00" * (10 * 1024 * 1024 - len(PNG) + 1)
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.add_artwork(s, who("buyer@a.test"), quote_id, "big.png", "image/png", big)
    assert exc.value.status == 413
    assert codes(exc) == [("artwork_too_large", None)]
    exactly = big[:-1]
    with db.session(write=True) as s:
        assert (
            service.add_artwork(
                s, who("buyer@a.test"), quote_id, "max.png", "image/png", exactly
            ).size_bytes
            == 10 * 1024 * 1024
        )


@pytest.mark.parametrize(
    ("ctype", "data", "code"),
    [
        ("text/html", b"<html><script>alert(1)</script>", "artwork_type_not_allowed"),
        ("application/octet-stream", PNG, "artwork_type_not_allowed"),
        ("image/png", JPEG, "artwork_type_mismatch"),
        ("application/pdf", b"MZ\x90\x00", "artwork_type_mismatch"),
        ("image/png", b"", "artwork_empty"),
    ],
)
def test_artwork_type_checked(db, world, who, make_quote, ctype, data, code):
    quote_id = make_quote()
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.add_artwork(s, who("buyer@a.test"), quote_id, "f", ctype, data)
    assert exc.value.status == 422
    assert codes(exc) == [(code, None)]


def test_artwork_rules_on_role_company_and_status(db, world, who, make_quote):
    quote_id = make_quote()
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.add_artwork(s, who("viewer@a.test"), quote_id, "a.pdf", "application/pdf", PDF)
    assert exc.value.status == 403
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.add_artwork(s, who("buyer@b.test"), quote_id, "a.pdf", "application/pdf", PDF)
    assert exc.value.status == 404
    answered = make_quote(answered=True)
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.add_artwork(s, who("buyer@a.test"), answered, "a.pdf", "application/pdf", PDF)
    assert (exc.value.status, codes(exc)) == (409, [("quote_not_open", None)])
    with db.session() as s:
        assert s.scalar(select(QuoteArtwork.id)) is None


# ---- answer -------------------------------------------------------------------------------------


def test_staff_answer_prices_every_line(db, world, who, make_quote):
    quote_id = make_quote(answered=True, prices=(3_900, 0))
    with db.session() as s:
        q = service.get_quote(s, who("buyer@a.test"), quote_id)
        out = QuoteOut.of(q, service.today_utc())
    assert out.status == "answered"
    assert [ln.unit_price.amount_minor for ln in out.lines] == [3_900, 0]
    assert out.total is not None and out.total.model_dump() == {
        "amount_minor": 2 * 3_900,
        "currency": "EUR",
    }
    assert out.lead_time_days == 21
    assert out.answer_note == "blind deboss included"
    assert out.answered_at is not None


def test_answer_errors(db, world, who, make_quote):
    quote_id = make_quote()
    future = service.today_utc() + timedelta(days=10)
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.answer_quote(
            s,
            who("admin@seller.test"),
            quote_id,
            [{"line_no": 1, "unit_price_minor": 1}],
            0,
            future,
        )
    assert sorted(codes(exc)) == [("invalid_lead_time", None), ("missing_unit_price", 2)]
    for email, status in (("merch@seller.test", 403), ("owner@a.test", 403)):
        with db.session(write=True) as s, pytest.raises(DomainError) as exc:
            service.answer_quote(
                s, who(email), quote_id, [{"line_no": 1, "unit_price_minor": 1}], 5, future
            )
        assert exc.value.status == status
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.answer_quote(s, who("sales@seller.test"), 999_999, [], 5, future)
    assert exc.value.status == 404
    with db.session() as s:
        assert service.get_quote(s, who("buyer@a.test"), quote_id).status == "requested"


def test_expired_answer_can_be_renewed(db, world, who, make_quote):
    quote_id = make_quote(answered=True)
    expire(db, quote_id)
    with db.session() as s:
        q = service.get_quote(s, who("buyer@a.test"), quote_id)
        assert QuoteOut.of(q, service.today_utc()).status == "expired"
        assert q.status == "answered"  # derived, never stored
    with db.session(write=True) as s:
        service.answer_quote(
            s,
            who("sales@seller.test"),
            quote_id,
            [{"line_no": 1, "unit_price_minor": 4_000}, {"line_no": 2, "unit_price_minor": 4_200}],
            30,
            service.today_utc() + timedelta(days=7),
        )
    with db.session() as s:
        q = service.get_quote(s, who("buyer@a.test"), quote_id)
        assert QuoteOut.of(q, service.today_utc()).status == "answered"


# ---- decline, cancel ----------------------------------------------------------------------------


def test_cancel_before_answer_and_decline_after(db, world, who, make_quote):
    requested, answered = make_quote(), make_quote(answered=True)
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.decline_quote(s, who("buyer@a.test"), requested)
    assert (exc.value.status, codes(exc)) == (409, [("quote_not_answered", None)])
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.cancel_quote(s, who("buyer@a.test"), answered)
    assert codes(exc) == [("quote_already_answered", None)]
    with db.session(write=True) as s:
        assert service.cancel_quote(s, who("owner@a.test"), requested).status == "cancelled"
        assert service.decline_quote(s, who("buyer@a.test"), answered).status == "declined"
    with db.session(write=True) as s:  # repeating is harmless
        assert service.cancel_quote(s, who("buyer@a.test"), requested).status == "cancelled"
        assert service.decline_quote(s, who("buyer@a.test"), answered).status == "declined"
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.answer_quote(
            s,
            who("sales@seller.test"),
            requested,
            [{"line_no": 1, "unit_price_minor": 1}, {"line_no": 2, "unit_price_minor": 1}],
            5,
            service.today_utc() + timedelta(days=3),
        )
    assert (exc.value.status, codes(exc)) == (409, [("quote_closed", None)])


def test_decline_and_cancel_scoped_and_role_checked(db, world, who, make_quote):
    quote_id = make_quote()
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.cancel_quote(s, who("owner@b.test"), quote_id)
    assert exc.value.status == 404
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.cancel_quote(s, who("viewer@a.test"), quote_id)
    assert exc.value.status == 403


# ---- get, list ----------------------------------------------------------------------------------


def test_list_scoped_by_company_and_filtered_by_status(db, world, who, make_quote):
    a1, a2, a3 = make_quote(), make_quote(answered=True), make_quote(answered=True)
    expire(db, a3)
    b1 = make_quote(email="buyer@b.test")
    with db.session() as s:
        mine, total = service.list_quotes(s, who("viewer@a.test"))
        assert total == 3 and {q.id for q in mine} == {a1, a2, a3}
        assert [q.id for q in mine] == sorted((a1, a2, a3), reverse=True)
        theirs, _ = service.list_quotes(s, who("owner@b.test"))
        assert [q.id for q in theirs] == [b1]
        inbox, total = service.list_quotes(s, who("merch@seller.test"), status="requested")
        assert total == 2 and {q.id for q in inbox} == {a1, b1}
        assert [
            q.id for q in service.list_quotes(s, who("admin@seller.test"), status="answered")[0]
        ] == [a2]
        assert [
            q.id for q in service.list_quotes(s, who("viewer@a.test"), status="expired")[0]
        ] == [a3]
        only_b, _ = service.list_quotes(s, who("sales@seller.test"), company_id=world.company_b)
        assert [q.id for q in only_b] == [b1]
        # a buyer cannot widen the scope with company_id
        assert service.list_quotes(s, who("buyer@b.test"), company_id=world.company_a)[1] == 1
        page, total = service.list_quotes(s, who("sales@seller.test"), offset=1, limit=2)
        assert total == 4 and len(page) == 2


def test_get_another_companys_quote_is_not_found(db, world, who, make_quote):
    quote_id = make_quote()
    with db.session() as s:
        for email in ("buyer@b.test", "viewer@b.test", "buyer@prepaid.test"):
            with pytest.raises(DomainError) as exc:
                service.get_quote(s, who(email), quote_id)
            assert exc.value.status == 404
        assert service.get_quote(s, who("merch@seller.test"), quote_id).id == quote_id
        with pytest.raises(DomainError):
            service.get_quote(s, who("buyer@a.test"), 2**40)


def test_input_from_other_callers_is_checked_as_domain_errors(db, world, who):
    """The CLI or portal may pass plain dicts: bad values are 422s, not crashes."""
    buyer = who("buyer@a.test")
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.request_quote(
            s, buyer, [{"sku": "MC-001-GLD", "quantity": 1}, {"sku": "MC-001-BLK", "quantity": -3}]
        )
    assert codes(exc) == [("invalid_input", 2)]
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.request_quote(s, buyer, [{"sku": "MC-001-GLD", "quantity": 1}], notes="a\x00b")
    assert codes(exc) == [("invalid_input", None)]
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.request_quote(s, buyer, [{"sku": "MC-001-GLD", "quantity": 1}], kind="free")
    assert codes(exc) == [("invalid_kind", None)]
