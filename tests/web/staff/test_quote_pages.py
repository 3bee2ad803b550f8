"""Quote pages: buyers request (customization, artwork), staff answer, buyers accept once."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update

from microbag.orders.models import Order
from microbag.quotes.models import Quote, QuoteArtwork
from microbag.quotes.service import today_utc

from .conftest import PNG, field_errors, general_errors, post

LINES = {"sku": ["MC-001-GLD", "MT-001-RED", ""], "quantity": ["3", "12", ""]}


def _request(client, files=None, **extra):
    data = {"kind": "oem", **LINES, "logo": "Blind deboss on the flap", "notes": "Bridal run"}
    data.update(extra)
    return post(client, "/quotes/new", data, page="/quotes/new", files=files)


def _quote_id(response) -> int:
    assert response.status_code == 303, response.text[:2000]
    match = re.match(r"/quotes/(\d+)\?done=requested", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def _answer(staff, quote_id: int, **values):
    valid = (today_utc() + timedelta(days=20)).isoformat()
    data = {"price-1": "41.50", "price-2": "12.00", "lead_time_days": "45", "valid_until": valid}
    data.update(values)
    return post(staff, f"/staff/quotes/{quote_id}/answer", data)


def _orders(db) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Order)))


def test_buyer_requests_a_customized_quote_with_artwork(signed_in, db):
    buyer = signed_in("buyer@a.test")
    form = buyer.get("/quotes/new?sku=MC-001-GLD")
    assert form.status_code == 200
    assert 'value="MC-001-GLD"' in form.text and 'enctype="multipart/form-data"' in form.text
    r = _request(buyer, files={"artwork": ("logo.png", PNG, "image/png")})
    quote_id = _quote_id(r)
    page = buyer.get(r.headers["location"])
    assert "Your request is sent" in page.text
    assert "Blind deboss on the flap" in page.text and "logo.png" in page.text
    with db.session() as s:
        quote = s.get(Quote, quote_id)
        assert quote.kind == "oem" and quote.status == "requested"
        assert [(ln.sku_code, ln.quantity) for ln in quote.lines] == [
            ("MC-001-GLD", 3),
            ("MT-001-RED", 12),
        ]
        artwork_id = quote.artworks[0].id
    download = buyer.get(f"/quotes/{quote_id}/artworks/{artwork_id}")
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in download.headers["content-security-policy"]
    # Staff read the same file from the inbox; another company does not see it exists.
    assert signed_in("sales@seller.test").get(download.url.path).content == PNG
    other = signed_in("buyer@b.test")
    assert other.get(f"/quotes/{quote_id}").status_code == 404
    assert other.get(download.url.path).status_code == 404


def test_request_errors_show_on_their_line_and_nothing_is_saved(signed_in, db):
    buyer = signed_in("buyer@a.test")
    r = _request(buyer, sku=["NOPE-1", "MT-001-RED", "MC-001-GLD"], quantity=["3", "x", "6"])
    assert r.status_code == 422
    assert field_errors(r.text, "line-2") == "Enter a quantity of 1 or more."
    r = _request(buyer, sku=["NOPE-1", "MT-001-RED"], quantity=["3", "6"])
    assert r.status_code == 422
    assert "No active SKU 'NOPE-1'" in field_errors(r.text, "line-1")
    assert field_errors(r.text, "line-2") == ""
    # An OEM request needs a customization or notes.
    r = _request(buyer, logo="", notes="")
    assert r.status_code == 422
    assert "needs a customization" in general_errors(r.text)
    # A file that is not what it claims: shown next to the upload, the quote rolled back.
    r = _request(buyer, files={"artwork": ("logo.png", b"GIF89a....", "image/png")})
    assert r.status_code == 422
    assert "content is not image/png" in field_errors(r.text, "f-artwork")
    assert 'value="Blind deboss on the flap"' in r.text  # the form keeps what was typed
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Quote)) == 0
        assert s.scalar(select(func.count()).select_from(QuoteArtwork)) == 0


def test_viewer_cannot_request(signed_in, db):
    viewer = signed_in("viewer@a.test")
    assert "an owner or buyer of your company requests them" in viewer.get("/quotes/new").text
    r = _request(viewer)
    assert r.status_code == 403
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Quote)) == 0


def test_staff_answer_then_buyer_accepts_exactly_once(signed_in, db):
    buyer = signed_in("buyer@a.test")
    quote_id = _quote_id(_request(buyer))
    staff = signed_in("sales@seller.test")
    inbox = staff.get("/staff/quotes")
    assert f'data-quote="{quote_id}"' in inbox.text
    page = staff.get(f"/staff/quotes/{quote_id}").text
    # The form starts from the company's list prices at each line's quantity.
    assert re.search(r'id="price-2" name="price-2" value="[0-9.]+"', page)
    bad = _answer(staff, quote_id, **{"price-1": "abc", "price-2": ""})
    assert bad.status_code == 422
    assert field_errors(bad.text, "price-1") == "Enter an amount in EUR, e.g. 12.50."
    assert field_errors(bad.text, "price-2") == "A unit price is needed."
    assert 'value="abc"' in bad.text  # what was typed stays
    bad = _answer(staff, quote_id, lead_time_days="0")
    assert bad.status_code == 422
    assert field_errors(bad.text, "f-lead_time_days") == "Lead time must be between 1 and 365 days."
    past = _answer(staff, quote_id, valid_until=today_utc().isoformat())
    assert past.status_code == 422
    assert "future" in field_errors(past.text, "f-valid_until")
    ok = _answer(staff, quote_id, note="Deboss plate included")
    assert ok.status_code == 303 and ok.headers["location"].endswith("?done=answered")

    seen = buyer.get(f"/quotes/{quote_id}").text
    assert "Deboss plate included" in seen and "45 days" in seen
    assert "€41.50" in seen.replace("\u00a0", "") or "41,50" in seen
    accepted = post(buyer, f"/quotes/{quote_id}/accept", page=f"/quotes/{quote_id}")
    assert accepted.status_code == 303
    order_path = accepted.headers["location"]
    assert re.fullmatch(r"/orders/\d+", order_path)
    # A second accept (a double click) leads to the same order; there is one order.
    again = post(buyer, f"/quotes/{quote_id}/accept", page=f"/quotes/{quote_id}")
    assert again.headers["location"] == order_path
    assert _orders(db) == 1
    order = buyer.get(order_path)
    assert order.status_code == 200
    with db.session() as s:
        assert s.scalar(select(Order.quote_id)) == quote_id


def test_expired_quote_cannot_be_accepted(signed_in, db):
    buyer = signed_in("buyer@a.test")
    quote_id = _quote_id(_request(buyer))
    _answer(signed_in("admin@seller.test"), quote_id)
    with db.session(write=True) as s:
        s.execute(
            update(Quote)
            .where(Quote.id == quote_id)
            .values(valid_until=today_utc() - timedelta(days=1))
        )
    page = buyer.get(f"/quotes/{quote_id}").text
    assert "Accept and place the order" not in page and "(expired)" in page
    r = post(buyer, f"/quotes/{quote_id}/accept", page=f"/quotes/{quote_id}")
    assert r.status_code == 409
    assert "validity has passed" in general_errors(r.text)
    assert _orders(db) == 0


def test_roles_on_the_quote_pages(signed_in):
    buyer = signed_in("buyer@a.test")
    quote_id = _quote_id(_request(buyer))
    merch = signed_in("merch@seller.test")
    assert merch.get(f"/staff/quotes/{quote_id}").status_code == 200  # staff may read
    r = _answer(merch, quote_id)
    assert r.status_code == 403 and "may not answer quotes" in r.text
    # Buyers never see the staff inbox; staff do not use the buyer's request form.
    assert buyer.get("/staff/quotes").status_code == 403
    assert merch.get("/quotes/new").status_code == 403
    assert post(buyer, f"/staff/quotes/{quote_id}/answer", page="/quotes").status_code == 403


def test_upload_more_artwork_until_answered(signed_in, db):
    buyer = signed_in("owner@a.test")
    quote_id = _quote_id(_request(buyer))
    files = {"artwork": ("print.pdf", b"%PDF-1.7 test", "application/pdf")}
    r = post(buyer, f"/quotes/{quote_id}/artworks", page=f"/quotes/{quote_id}", files=files)
    assert r.status_code == 303
    assert "print.pdf" in buyer.get(f"/quotes/{quote_id}").text
    _answer(signed_in("sales@seller.test"), quote_id)
    r = post(buyer, f"/quotes/{quote_id}/artworks", page=f"/quotes/{quote_id}", files=files)
    assert r.status_code == 409
    assert "only before the answer" in general_errors(r.text)
