"""HTTP API for stock: warehouses, stock levels and incoming batches (staff)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from microbag.accounts.policies import STAFF_STOCK_ROLES
from microbag.accounts.principal import Principal
from microbag.catalog.policies import CODE_PATTERN as SKU_CODE_PATTERN
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
from microbag.orders import backorders
from microbag.stock import incoming as batches
from microbag.stock import regions, service
from microbag.stock.models import Warehouse
from microbag.stock.schemas import (
    WAREHOUSE_CODE_PATTERN,
    IncomingCreate,
    IncomingOut,
    OnHandIn,
    RegionRank,
    StockOut,
    WarehouseCreate,
    WarehouseOut,
    WarehouseRegionsIn,
    WarehouseRegionsOut,
)

router = APIRouter(tags=["stock"])

StaffReader = Annotated[Principal, Depends(require_staff())]
StaffWriter = Annotated[Principal, Depends(require_staff(*STAFF_STOCK_ROLES))]
SkuFilter = Annotated[str | None, Query(max_length=64, pattern=SKU_CODE_PATTERN)]
WarehouseFilter = Annotated[str | None, Query(max_length=32, pattern=WAREHOUSE_CODE_PATTERN)]


def warehouse_out(w: Warehouse) -> WarehouseOut:
    return WarehouseOut(id=w.id, code=w.code, name=w.name, country=w.country)


def stock_out(row: service.StockRow) -> StockOut:
    return StockOut(
        sku=row.sku,
        warehouse=row.warehouse,
        on_hand=row.on_hand,
        reserved=row.reserved,
        available=row.available,
    )


def incoming_out(row: batches.IncomingRow) -> IncomingOut:
    ship_from, ship_to = row.window
    return IncomingOut(
        id=row.id,
        sku=row.sku,
        warehouse=row.warehouse,
        quantity=row.quantity,
        expected_date=row.expected_date,
        ship_from=ship_from,
        ship_to=ship_to,
        note=row.note,
        received_at=row.received_at,
    )


@router.get("/warehouses", response_model=Page[WarehouseOut], responses=READ_RESPONSES)
def list_warehouses(
    _staff: StaffReader, session: ReadSession, paging: Paging
) -> Page[WarehouseOut]:
    rows, total = service.list_warehouses(session, offset=paging.offset, limit=paging.page_size)
    return Page(
        items=[warehouse_out(w) for w in rows],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
    )


@router.post("/warehouses", status_code=201, response_model=WarehouseOut, responses=WRITE_RESPONSES)
def create_warehouse(
    body: WarehouseCreate, _staff: StaffWriter, session: WriteSession
) -> WarehouseOut:
    """Add a warehouse (admin, merchandiser)."""
    return warehouse_out(service.create_warehouse(session, **body.model_dump()))


@router.get("/stock", response_model=Page[StockOut], responses=READ_RESPONSES)
def list_stock(
    _staff: StaffReader,
    session: ReadSession,
    paging: Paging,
    sku: SkuFilter = None,
    warehouse: WarehouseFilter = None,
) -> Page[StockOut]:
    """On hand, reserved and available per SKU and warehouse."""
    rows, total = service.list_stock(
        session, sku=sku, warehouse=warehouse, offset=paging.offset, limit=paging.page_size
    )
    return Page(
        items=[stock_out(r) for r in rows],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
    )


@router.put("/stock/{sku}/{warehouse_code}", response_model=StockOut, responses=WRITE_RESPONSES)
def set_stock(
    sku: Annotated[str, Path(min_length=1, max_length=64, pattern=SKU_CODE_PATTERN)],
    warehouse_code: Annotated[
        str, Path(min_length=1, max_length=32, pattern=WAREHOUSE_CODE_PATTERN)
    ],
    body: OnHandIn,
    staff: StaffWriter,
    session: WriteSession,
) -> StockOut:
    """Set the counted quantity on hand (admin, merchandiser); never below what is reserved."""
    row = service.set_stock(session, sku, warehouse_code, body.on_hand, actor=staff)
    if backorders.fill_waiting(session):  # a higher count serves waiting lines first
        row = service.stock_row(session, sku, warehouse_code)
    return stock_out(row)


@router.get("/incoming", response_model=Page[IncomingOut], responses=READ_RESPONSES)
def list_incoming(
    _staff: StaffReader,
    session: ReadSession,
    paging: Paging,
    sku: SkuFilter = None,
    warehouse: WarehouseFilter = None,
    pending: Annotated[
        bool | None, Query(description="true: not yet received; false: received")
    ] = None,
) -> Page[IncomingOut]:
    """Incoming batches by expected date, with their ship windows."""
    rows, total = batches.list_incoming(
        session,
        sku=sku,
        warehouse=warehouse,
        pending=pending,
        offset=paging.offset,
        limit=paging.page_size,
    )
    return Page(
        items=[incoming_out(r) for r in rows],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
    )


@router.post("/incoming", status_code=201, response_model=IncomingOut, responses=WRITE_RESPONSES)
def add_incoming(body: IncomingCreate, _staff: StaffWriter, session: WriteSession) -> IncomingOut:
    """Record a batch expected at a warehouse (admin, merchandiser)."""
    row = batches.add_incoming(
        session,
        sku_code=body.sku,
        warehouse_code=body.warehouse,
        quantity=body.quantity,
        expected_date=body.expected_date,
        note=body.note,
    )
    return incoming_out(row)


@router.post(
    "/incoming/{incoming_id}/receive", response_model=IncomingOut, responses=WRITE_RESPONSES
)
def receive_incoming(
    incoming_id: IdPath, _staff: StaffWriter, session: WriteSession
) -> IncomingOut:
    """The batch arrived: its units join on hand (admin, merchandiser); 409 if received before."""
    row = batches.receive_incoming(session, incoming_id)
    backorders.fill_waiting(session)  # the arrival serves waiting lines first
    return incoming_out(row)


WarehouseCodePath = Annotated[
    str, Path(min_length=1, max_length=32, pattern=WAREHOUSE_CODE_PATTERN)
]


def _regions_out(code: str, ranks: dict[str, int]) -> WarehouseRegionsOut:
    return WarehouseRegionsOut(
        warehouse=code,
        regions=[RegionRank.model_validate({"region": r, "rank": n}) for r, n in ranks.items()],
    )


@router.get(
    "/warehouses/{warehouse_code}/regions",
    response_model=WarehouseRegionsOut,
    responses=READ_RESPONSES,
)
def warehouse_regions(
    warehouse_code: WarehouseCodePath, _staff: StaffReader, session: ReadSession
) -> WarehouseRegionsOut:
    """The buyer regions this warehouse serves first, by rank (orders of buyers in those
    regions reserve from it before the fullest warehouse)."""
    return _regions_out(warehouse_code, regions.regions_of(session, warehouse_code))


@router.put(
    "/warehouses/{warehouse_code}/regions",
    response_model=WarehouseRegionsOut,
    responses=WRITE_RESPONSES,
)
def set_warehouse_regions(
    warehouse_code: WarehouseCodePath,
    body: WarehouseRegionsIn,
    _staff: StaffWriter,
    session: WriteSession,
) -> WarehouseRegionsOut:
    """Replace the regions this warehouse serves first (admin, merchandiser); 422
    `duplicate_region` when a region is listed twice."""
    pairs = [(r.region, r.rank) for r in body.regions]
    return _regions_out(warehouse_code, regions.set_regions(session, warehouse_code, pairs))
