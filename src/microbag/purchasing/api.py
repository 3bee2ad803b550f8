"""HTTP API of purchasing (staff only; buyers never see the buying side): purchase orders,
their status changes, PDF and receipts, and the lots receipts make. Reads: all staff;
writes: admin and merchandiser."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.http import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    IdPath,
    Page,
    Paging,
    ReadSession,
    WriteSession,
    require_staff,
)
from microbag.purchasing import pdf, policies, receiving, service
from microbag.purchasing.models import PurchaseOrder, Receipt
from microbag.purchasing.schemas import (
    CancelIn,
    CloseIn,
    ConfirmIn,
    DraftLineIn,
    EventOut,
    LotOut,
    LotStatus,
    PoStatus,
    PurchaseOrderCreate,
    PurchaseOrderLineOut,
    PurchaseOrderOut,
    PurchaseOrderSummary,
    PurchaseOrderUpdate,
    ReceiptIn,
    ReceiptOut,
)

router = APIRouter(tags=["purchasing"])

StaffReader = Annotated[Principal, Depends(require_staff())]
Buyer = Annotated[Principal, Depends(require_staff(*policies.PURCHASE_ROLES))]
SupplierFilter = Annotated[int | None, Query(ge=1, le=2_147_483_647)]
PoFilter = Annotated[int | None, Query(ge=1, le=2_147_483_647)]


def _names(session: Session, po: PurchaseOrder) -> tuple[tuple[str, str], dict[int, str]]:
    supplier = service.supplier_names(session, [po.supplier_id]).get(po.supplier_id, ("", ""))
    codes = service.warehouse_codes(
        session, [po.warehouse_id, *(ln.warehouse_id for ln in po.lines)]
    )
    return supplier, codes


def po_out(session: Session, po: PurchaseOrder) -> PurchaseOrderOut:
    (code, name), warehouses = _names(session, po)
    return PurchaseOrderOut(
        id=po.id,
        number=po.number,
        supplier_id=po.supplier_id,
        supplier=code,
        supplier_name=name,
        status=po.status,
        currency=po.currency,
        warehouse=warehouses[po.warehouse_id],
        source=po.source,
        source_ref=po.source_ref,
        notes=po.notes,
        total_minor=service.total_minor(po),
        created_by=po.created_by,
        created_at=po.created_at,
        sent_at=po.sent_at,
        confirmed_at=po.confirmed_at,
        received_at=po.received_at,
        closed_at=po.closed_at,
        cancelled_at=po.cancelled_at,
        lines=[
            PurchaseOrderLineOut(
                id=ln.id,
                line_no=ln.line_no,
                sku=ln.sku_code,
                quantity=ln.quantity,
                unit_cost_minor=ln.unit_cost_minor,
                line_total_minor=policies.line_total(ln.quantity, ln.unit_cost_minor),
                warehouse=warehouses[ln.warehouse_id],
                requested_date=ln.requested_date,
                promised_date=ln.promised_date,
                received_quantity=ln.received_quantity,
                delivery=policies.classify_delivery(ln.quantity, ln.received_quantity),
                incoming_id=ln.incoming_id,
            )
            for ln in po.lines
        ],
        events=[
            EventOut(id=e.id, kind=e.kind, actor=e.actor, detail=e.detail, created_at=e.created_at)
            for e in po.events
        ],
    )


def lot_out(lot: receiving.LotView) -> LotOut:
    return LotOut(
        id=lot.id,
        receipt_id=lot.receipt_id,
        po_id=lot.po_id,
        po_number=lot.po_number,
        supplier_id=lot.supplier_id,
        sku=lot.sku_code,
        warehouse=lot.warehouse_code,
        quantity=lot.quantity,
        status=lot.status,
        decision=lot.decision,
        decision_note=lot.decision_note,
        received_at=lot.received_at,
    )


def receipt_out(session: Session, receipt: Receipt) -> ReceiptOut:
    lots = [receiving.get_lot(session, ln.id) for ln in receipt.lines]
    codes = service.warehouse_codes(session, [receipt.warehouse_id])
    return ReceiptOut(
        id=receipt.id,
        po_id=receipt.po_id,
        reference=receipt.reference,
        warehouse=codes[receipt.warehouse_id],
        note=receipt.note,
        received_by=receipt.received_by,
        received_at=receipt.received_at,
        lots=[lot_out(lot) for lot in lots],
    )


def _draft_lines(session: Session, lines: list[DraftLineIn]) -> list[service.DraftLine]:
    return service.lines_from_codes(
        session,
        [
            service.CodedLine(
                ln.sku, ln.quantity, ln.unit_cost_minor, ln.warehouse, ln.requested_date
            )
            for ln in lines
        ],
    )


@router.get("/purchase-orders", response_model=Page[PurchaseOrderSummary], responses=READ_RESPONSES)
def list_purchase_orders(
    _staff: StaffReader,
    session: ReadSession,
    paging: Paging,
    status: Annotated[PoStatus | None, Query()] = None,
    supplier_id: SupplierFilter = None,
) -> Page[PurchaseOrderSummary]:
    """Purchase orders, newest first, by status and supplier (all staff)."""
    pos, total = service.list_pos(
        session,
        status=status,
        supplier_id=supplier_id,
        offset=paging.offset,
        limit=paging.page_size,
    )
    suppliers = service.supplier_names(session, (p.supplier_id for p in pos))
    warehouses = service.warehouse_codes(session, (p.warehouse_id for p in pos))
    return Page(
        items=[
            PurchaseOrderSummary(
                id=p.id,
                number=p.number,
                supplier_id=p.supplier_id,
                supplier=suppliers.get(p.supplier_id, ("", ""))[0],
                supplier_name=suppliers.get(p.supplier_id, ("", ""))[1],
                status=p.status,
                currency=p.currency,
                warehouse=warehouses.get(p.warehouse_id, ""),
                source=p.source,
                lines=len(p.lines),
                total_minor=service.total_minor(p),
                created_at=p.created_at,
            )
            for p in pos
        ],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
    )


@router.post(
    "/purchase-orders",
    status_code=201,
    response_model=PurchaseOrderOut,
    responses=WRITE_RESPONSES,
)
def create_purchase_order(
    body: PurchaseOrderCreate, staff: Buyer, session: WriteSession
) -> PurchaseOrderOut:
    """A draft purchase order (admin, merchandiser). Lines are checked against the
    supplier's price (MOQ, case pack: ``below_moq``, ``not_case_pack_multiple``,
    ``no_supplier_price``, each naming the line); a supplier standing very poor is
    refused (409 ``supplier_blocked``), a poor one gets a ``standing_warning`` event."""
    supplier_id = body.supplier_id or service.supplier_id_for_code(session, body.supplier or "")
    po = service.create_draft(
        session,
        supplier_id=supplier_id,
        lines=_draft_lines(session, body.lines),
        actor=staff.email,
        warehouse_id=service.warehouse_id_for_code(session, body.warehouse),
        source=body.source,
        source_ref=body.source_ref,
        notes=body.notes,
    )
    return po_out(session, po)


@router.get("/purchase-orders/{po_id}", response_model=PurchaseOrderOut, responses=READ_RESPONSES)
def get_purchase_order(
    po_id: IdPath, _staff: StaffReader, session: ReadSession
) -> PurchaseOrderOut:
    """One purchase order with its lines and events."""
    return po_out(session, service.get_po(session, po_id))


@router.patch(
    "/purchase-orders/{po_id}", response_model=PurchaseOrderOut, responses=WRITE_RESPONSES
)
def update_purchase_order(
    po_id: IdPath, body: PurchaseOrderUpdate, staff: Buyer, session: WriteSession
) -> PurchaseOrderOut:
    """Replace a draft's lines and/or notes (409 ``po_state`` once sent)."""
    lines = None if body.lines is None else _draft_lines(session, body.lines)
    po = service.update_draft(session, po_id, actor=staff.email, lines=lines, notes=body.notes)
    return po_out(session, po)


@router.post(
    "/purchase-orders/{po_id}/send", response_model=PurchaseOrderOut, responses=WRITE_RESPONSES
)
def send_purchase_order(po_id: IdPath, staff: Buyer, session: WriteSession) -> PurchaseOrderOut:
    """The draft goes to the supplier."""
    return po_out(session, service.send(session, po_id, actor=staff.email))


@router.post(
    "/purchase-orders/{po_id}/confirm",
    response_model=PurchaseOrderOut,
    responses=WRITE_RESPONSES,
)
def confirm_purchase_order(
    po_id: IdPath, body: ConfirmIn, staff: Buyer, session: WriteSession
) -> PurchaseOrderOut:
    """The supplier confirmed with a promised date per line (or one for all); each line
    becomes an incoming batch buyers see."""
    promised = body.promised_date or {ln.line_id: ln.promised_date for ln in body.lines or []}
    return po_out(session, service.confirm(session, po_id, promised=promised, actor=staff.email))


@router.post(
    "/purchase-orders/{po_id}/cancel", response_model=PurchaseOrderOut, responses=WRITE_RESPONSES
)
def cancel_purchase_order(
    po_id: IdPath, body: CancelIn, staff: Buyer, session: WriteSession
) -> PurchaseOrderOut:
    """Cancel while nothing has arrived; its incoming batches go."""
    po = service.cancel(session, po_id, actor=staff.email, reason=body.reason)
    return po_out(session, po)


@router.post(
    "/purchase-orders/{po_id}/close", response_model=PurchaseOrderOut, responses=WRITE_RESPONSES
)
def close_purchase_order(
    po_id: IdPath, body: CloseIn, staff: Buyer, session: WriteSession
) -> PurchaseOrderOut:
    """Close a (partly) received order; short lines are recorded as under-deliveries."""
    return po_out(session, service.close(session, po_id, actor=staff.email, note=body.note))


@router.get(
    "/purchase-orders/{po_id}/pdf",
    response_class=Response,
    responses={**READ_RESPONSES, 200: {"content": {"application/pdf": {}}}},
)
def purchase_order_pdf(po_id: IdPath, _staff: StaffReader, session: ReadSession) -> Response:
    """The purchase order as a PDF to send to the supplier."""
    number = service.get_po(session, po_id).number
    return Response(
        pdf.render_pdf(session, po_id),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'},
    )


@router.get(
    "/purchase-orders/{po_id}/receipts",
    response_model=list[ReceiptOut],
    responses=READ_RESPONSES,
)
def list_po_receipts(po_id: IdPath, _staff: StaffReader, session: ReadSession) -> list[ReceiptOut]:
    """The deliveries received against the order, with their lots."""
    service.get_po(session, po_id)
    return [receipt_out(session, r) for r in receiving.list_receipts(session, po_id)]


@router.post(
    "/purchase-orders/{po_id}/receipts",
    status_code=201,
    response_model=ReceiptOut,
    responses=WRITE_RESPONSES,
)
def receive_goods(
    po_id: IdPath, body: ReceiptIn, staff: Buyer, session: WriteSession
) -> ReceiptOut:
    """Record a delivery (admin, merchandiser). A repeated ``reference`` returns the first
    receipt unchanged. With ``inspect`` (the default) the lots wait for inspection and are
    not sellable; without, they join stock on hand at once. Over-deliveries are recorded."""
    receipt = receiving.receive(
        session,
        po_id,
        lines=[(ln.line_id, ln.quantity) for ln in body.lines],
        actor=staff.email,
        reference=body.reference,
        warehouse_id=service.warehouse_id_for_code(session, body.warehouse),
        inspect=body.inspect,
        note=body.note,
    )
    return receipt_out(session, receipt)


@router.get("/lots", response_model=Page[LotOut], responses=READ_RESPONSES)
def list_lots(
    _staff: StaffReader,
    session: ReadSession,
    paging: Paging,
    status: Annotated[LotStatus | None, Query()] = None,
    po_id: PoFilter = None,
) -> Page[LotOut]:
    """Lots (receipt lines), newest first, by status and purchase order."""
    lots, total = receiving.list_lots(
        session, status=status, po_id=po_id, offset=paging.offset, limit=paging.page_size
    )
    return Page(
        items=[lot_out(lot) for lot in lots],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
    )


@router.get("/lots/{lot_id}", response_model=LotOut, responses=READ_RESPONSES)
def get_lot(lot_id: IdPath, _staff: StaffReader, session: ReadSession) -> LotOut:
    return lot_out(receiving.get_lot(session, lot_id))
