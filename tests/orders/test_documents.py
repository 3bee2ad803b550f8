"""Pick lists and packing slips (orders.documents): what they print, and that they are PDFs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import update

from microbag.config import get_settings
from microbag.errors import DomainError
from microbag.orders import documents, service, shipments
from microbag.orders.header import HeaderIn
from microbag.orders.schemas import OrderLineIn
from microbag.orders.shipments import ShipmentLineIn
from microbag.stock.models import StockLevel, Warehouse
from microbag.timeutil import utcnow

from .pdf_text import pdf_text

GLD, RED = "MC-001-GLD", "MT-001-RED"
WANTED = utcnow().date() + timedelta(days=60)


def confirmed_order(db, who, *lines, po_number="PO-77"):
    with db.session(write=True) as s:
        order, _ = service.place_order(
            s,
            who("buyer@a.test"),
            [OrderLineIn(sku=sku, quantity=qty, fulfilment=ful) for sku, qty, ful in lines],
            header=HeaderIn(po_number=po_number, requested_delivery_date=WANTED),
        )
        service.confirm_order(s, who("sales@seller.test"), order.id)
        return order.id


def test_pick_list_prints_the_reserved_units_per_warehouse(db, world, who):
    with db.session(write=True) as s:  # two warehouses hold 12 gold each
        east = Warehouse(code="EAST", name="East", country="FR")
        s.add(east)
        s.flush()
        s.execute(update(StockLevel).where(StockLevel.sku_id == world.skus[GLD]).values(on_hand=12))
        s.add(StockLevel(sku_id=world.skus[GLD], warehouse_id=east.id, on_hand=12, reserved=0))
    order_id = confirmed_order(db, who, (GLD, 24, "stock"), (RED, 12, "stock"))
    staff = who("sales@seller.test")
    with db.session() as s:
        _order, sections = documents.pick_sections(s, staff, order_id)
        assert [(x.warehouse, [(r.sku, r.quantity) for r in x.rows]) for x in sections] == [
            ("EAST", [(GLD, 12)]),
            ("MAIN", [(GLD, 12), (RED, 12)]),
        ]
        html = documents.pick_list_html(s, staff, order_id)
        assert GLD in html and RED in html and "Gala Micro Clutch" in html
        assert "PO-77" in html and f"Order number: <strong>{order_id}</strong>" in html
        assert format_date(WANTED, "medium", locale="en_US") in html  # requested delivery
        only_east = documents.pick_list_html(s, staff, order_id, "EAST")
        assert GLD in only_east and RED not in only_east
        pdf = documents.pick_list_pdf(s, staff, order_id)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert GLD in text and RED in text and "PO-77" in text and "Pick list · EAST" in text


def test_pick_list_leaves_out_waiting_and_shipped_units(db, world, who):
    order_id = confirmed_order(db, who, (GLD, 12, "preorder"), (RED, 24, "stock"))
    staff = who("sales@seller.test")
    with db.session(write=True) as s:
        shipments.create_shipment(
            s,
            staff,
            order_id,
            carrier="ups",
            tracking_number="1Z999AA10123456784",
            lines=[ShipmentLineIn(2, 18)],
        )
    with db.session() as s:
        _order, sections = documents.pick_sections(s, staff, order_id)
        assert [[(r.sku, r.quantity) for r in x.rows] for x in sections] == [[(RED, 6)]]
    with db.session(write=True) as s:
        shipments.create_shipment(
            s, staff, order_id, carrier="ups", tracking_number="1Z999AA10123456785"
        )
    with db.session() as s:
        html = documents.pick_list_html(s, staff, order_id)
        assert "Nothing to pick" in html
        assert documents.pick_list_pdf(s, staff, order_id).startswith(b"%PDF")


def test_packing_slip_prints_the_shipment_and_the_units_so_far(db, world, who, monkeypatch):
    monkeypatch.setenv("MICROBAG_SELLER_NAME", "Petite Maison Wholesale")
    get_settings.cache_clear()
    try:
        order_id = confirmed_order(db, who, (GLD, 24, "stock"), (RED, 12, "stock"))
        staff = who("sales@seller.test")
        with db.session(write=True) as s:
            shipments.create_shipment(
                s,
                staff,
                order_id,
                carrier="dhl_express",
                tracking_number="1234567890",
                lines=[ShipmentLineIn(1, 12), ShipmentLineIn(2, 6)],
            )
            shipments.create_shipment(
                s, staff, order_id, carrier="other", tracking_number="PAL-0042"
            )
        with db.session() as s:
            first = documents.packing_slip_html(s, staff, order_id, 1)
            second = documents.packing_slip_html(s, staff, order_id, 2)
            pdf = documents.packing_slip_pdf(s, staff, order_id, 2)
    finally:
        get_settings.cache_clear()
    assert "Petite Maison Wholesale" in first
    assert "DHL Express" in first and "1234567890" in first and "PO-77" in first
    assert GLD in first and RED in first
    assert "18 of 36 units shipped so far" in first and "the rest follows" in first
    assert "36 of 36 units shipped so far" in second and "Other carrier" in second
    assert "PAL0042" in second  # as normalised when shipped
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert GLD in text and RED in text and "PAL0042" in text
    assert "36 of 36 units shipped so far" in text


def test_documents_are_scoped_and_unknown_shipments_are_not_found(db, world, who):
    order_id = confirmed_order(db, who, (RED, 12, "stock"))
    with db.session() as s:
        with pytest.raises(DomainError) as err:
            documents.packing_slip_html(s, who("sales@seller.test"), order_id, 1)
        assert err.value.status == 404 and err.value.items[0].code == "unknown_shipment"
        with pytest.raises(DomainError) as err:  # another company's order
            documents.pick_list_html(s, who("buyer@b.test"), order_id)
        assert err.value.status == 404
        with pytest.raises(DomainError) as err:
            documents.pick_list_html(s, who("sales@seller.test"), order_id, "NOPE")
        assert err.value.items[0].code == "unknown_warehouse"
