"""Inspection use cases on a database: sampling, results, quarantine decisions, rework,
photos; a rejected lot never reaches sellable stock."""

from __future__ import annotations

import io
import threading

import pytest
from PIL import Image
from sqlalchemy import select

from microbag.config import get_settings
from microbag.errors import DomainError
from microbag.inspection import photos as inspection_photos
from microbag.inspection import service
from microbag.inspection.models import InspectionPhoto
from microbag.inspection.service import DefectInput
from microbag.purchasing.models import PurchaseOrderEvent
from microbag.purchasing.receiving import get_lot

MERCH = "merch@seller.test"


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 8)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format=fmt)
    return buf.getvalue()


def _errors(exc: pytest.ExceptionInfo[DomainError]) -> set[str]:
    return {i.code for i in exc.value.items}


def test_clean_lot_is_accepted_into_stock(db, make_lot, on_hand):
    lot_id = make_lot(1000)
    before = on_hand()
    with db.session(write=True) as s:
        insp = service.inspect_lot(
            s,
            lot_id,
            defects=[DefectInput("stitching", "major", 5), DefectInput("color", "minor", 7)],
            actor=MERCH,
            note="AQL inspection at the warehouse",
        )
        assert insp.result == "accept"
        assert (insp.lot_size, insp.code_letter, insp.sample_size) == (1000, "J", 80)
        assert insp.plan["major"] == {
            "aql": 2.5,
            "code_letter": "J",
            "sample_size": 80,
            "accept": 5,
            "reject": 6,
            "found": 5,
        }
        assert insp.plan["critical"]["reject"] == 1
        assert insp.defect_rate == pytest.approx(12 / 80)
        assert [(d.kind, d.defect_class, d.count) for d in insp.defects] == [
            ("stitching", "major", 5),
            ("color", "minor", 7),
        ]
        assert get_lot(s, lot_id).status == "accepted"
    assert on_hand() == before + 1000


@pytest.mark.parametrize(
    "defects",
    [
        [DefectInput("stitching", "major", 6)],
        [DefectInput("zips", "minor", 4), DefectInput("lining", "minor", 4)],
        [DefectInput("hardware", "critical", 1)],
    ],
)
def test_rejected_lot_is_quarantined_and_never_stocked(db, make_lot, on_hand, defects):
    lot_id = make_lot(1000)
    before = on_hand()
    with db.session(write=True) as s:
        insp = service.inspect_lot(s, lot_id, defects=defects, actor=MERCH)
        assert insp.result == "reject"
        lot = get_lot(s, lot_id)
        assert lot.status == "quarantined"
        assert "rejected on" in lot.decision_note
    assert on_hand() == before
    # Returned: still not in stock, and no decision can follow.
    with db.session(write=True) as s:
        assert service.decide(
            s, lot_id, decision="return_to_supplier", note="", actor=MERCH
        ).status == ("returned")
    assert on_hand() == before
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.decide(s, lot_id, decision="accept_with_note", note="changed mind", actor=MERCH)
    assert _errors(exc) == {"lot_state"} and exc.value.status == 409
    assert on_hand() == before


def test_rework_then_reinspection(db, make_lot, on_hand):
    lot_id = make_lot(400)
    before = on_hand()
    with db.session(write=True) as s:
        first = service.inspect_lot(
            s, lot_id, defects=[DefectInput("stitching", "major", 4)], actor=MERCH
        )
        assert first.result == "reject"  # H, n=50, major Ac 3 Re 4
        service.decide(s, lot_id, decision="rework", note="resew the handles", actor=MERCH)
    assert on_hand() == before
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.inspect_lot(s, lot_id, defects=[], actor=MERCH)  # still at the workshop
    assert _errors(exc) == {"lot_state"}
    with db.session(write=True) as s:
        assert service.rework_done(s, lot_id, actor=MERCH).status == "pending_inspection"
    assert on_hand() == before
    with db.session(write=True) as s:
        second = service.inspect_lot(
            s, lot_id, defects=[DefectInput("stitching", "major", 1)], actor=MERCH
        )
        assert second.result == "accept"
        history = service.inspections_for_lot(s, lot_id)
        assert [i.result for i in history] == ["reject", "accept"]
    assert on_hand() == before + 400


def test_accept_with_note_needs_a_note_and_stocks_once(db, make_lot, on_hand):
    lot_id = make_lot(100)
    before = on_hand()
    with db.session(write=True) as s:
        service.inspect_lot(s, lot_id, defects=[DefectInput("odor", "major", 2)], actor=MERCH)
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.decide(s, lot_id, decision="accept_with_note", note="  ", actor=MERCH)
    assert _errors(exc) == {"note_required"}
    assert on_hand() == before
    with db.session(write=True) as s:
        lot = service.decide(
            s, lot_id, decision="accept_with_note", note="odor airs out in 48 h", actor=MERCH
        )
        assert (lot.status, lot.decision, lot.decision_note) == (
            "accepted",
            "accept_with_note",
            "odor airs out in 48 h",
        )
    assert on_hand() == before + 100
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.decide(s, lot_id, decision="accept_with_note", note="again", actor=MERCH)
    assert _errors(exc) == {"lot_state"}
    assert on_hand() == before + 100
    with db.session() as s:
        kinds = [
            e.kind for e in s.scalars(select(PurchaseOrderEvent).order_by(PurchaseOrderEvent.id))
        ]
    assert kinds[-2:] == ["lot_quarantined", "lot_accepted"]


def test_only_pending_lots_are_inspected(db, make_lot):
    lot_id = make_lot(100, status="accepted")
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.inspect_lot(s, lot_id, defects=[], actor=MERCH)
    assert _errors(exc) == {"lot_state"}
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.inspect_lot(s, 999_999, defects=[], actor=MERCH)
    assert _errors(exc) == {"unknown_lot"}
    pending = make_lot(100)
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.decide(s, pending, decision="rework", note="", actor=MERCH)
    assert _errors(exc) == {"lot_state"}
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.rework_done(s, pending, actor=MERCH)
    assert _errors(exc) == {"lot_state"}
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.decide(s, pending, decision="scrap", note="", actor=MERCH)
    assert _errors(exc) == {"unknown_decision"}


def test_defect_input_is_checked(db, make_lot):
    lot_id = make_lot(40)  # D: critical n=8, major n=5 (C), minor n=13 (E)
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.inspect_lot(
            s,
            lot_id,
            defects=[
                DefectInput("glue", "major", 1),
                DefectInput("stitching", "cosmetic", 1),
                DefectInput("zips", "major", 0),
                DefectInput("color", "major", 6),  # over the major sample of 5
                DefectInput("odor", "minor", 1),
                DefectInput("odor", "minor", 1),
            ],
            actor=MERCH,
        )
    assert _errors(exc) == {
        "unknown_defect_kind",
        "unknown_defect_class",
        "invalid_count",
        "count_over_sample",
        "duplicate_defect",
    }
    assert {i.line for i in exc.value.items} == {1, 2, 3, 4, 6}
    with db.session() as s:
        assert get_lot(s, lot_id).status == "pending_inspection"


def test_aql_overrides_and_settings(db, make_lot):
    lot_id = make_lot(1000)
    with db.session(write=True) as s:
        insp = service.inspect_lot(
            s,
            lot_id,
            defects=[DefectInput("stitching", "major", 2)],
            actor=MERCH,
            aqls={"major": 0.65, "minor": None},  # J at 0.65: Ac 1 Re 2
        )
        assert insp.result == "reject"
        assert insp.plan["major"]["aql"] == 0.65
        assert insp.plan["minor"]["aql"] == get_settings().inspection_aql_minor
    other = make_lot(1000)
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.inspect_lot(s, other, defects=[], actor=MERCH, aqls={"major": 3.0})
    assert _errors(exc) == {"invalid_aql"}
    assert exc.value.items[0].field == "aql_major"
    tiny = make_lot(5)  # A at AQL 10: the printed arrow points out of the table
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.inspect_lot(s, tiny, defects=[], actor=MERCH, aqls={"minor": 10})
    assert _errors(exc) == {"no_sampling_plan"}


def test_small_lot_is_inspected_whole(db, make_lot):
    lot_id = make_lot(4)
    with db.session(write=True) as s:
        insp = service.inspect_lot(s, lot_id, defects=[], actor=MERCH)
        assert insp.sample_size == 4
        assert all(p["sample_size"] <= 4 for p in insp.plan.values())


def test_supplier_history(db, make_lot):
    a, b = make_lot(100), make_lot(200)
    with db.session(write=True) as s:
        service.inspect_lot(s, a, defects=[], actor=MERCH)
        service.inspect_lot(s, b, defects=[DefectInput("zips", "critical", 1)], actor=MERCH)
        supplier_id = get_lot(s, a).supplier_id
        rows = service.inspections_for_supplier(s, supplier_id)
        assert {(r.lot_id, r.result) for r in rows} == {(a, "accept"), (b, "reject")}
        assert all(r.inspected_at.tzinfo is not None for r in rows)
        assert service.inspections_for_supplier(s, supplier_id + 1000) == []


# ---- photos --------------------------------------------------------------------------------------


@pytest.fixture
def inspection_id(db, make_lot) -> int:
    lot_id = make_lot(100)
    with db.session(write=True) as s:
        return service.inspect_lot(
            s, lot_id, defects=[DefectInput("stitching", "major", 1)], actor=MERCH
        ).id


@pytest.mark.parametrize(
    ("fmt", "ctype"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_photos_are_stored_in_the_database(db, inspection_id, fmt, ctype):
    data = image_bytes(fmt)
    with db.session(write=True) as s:
        defect_id = service.get_inspection(s, inspection_id).defects[0].id
        photo = inspection_photos.add_photo(
            s,
            inspection_id,
            filename="../../seam close-up",
            content_type="application/octet-stream",
            data=data,
            defect_id=defect_id,
        )
        photo_id = photo.id
    with db.session() as s:
        got = inspection_photos.get_photo(s, photo_id)
        assert (got.content_type, got.data, got.size_bytes) == (ctype, data, len(data))
        assert got.filename == "seam close-up"
        assert [p.id for p in inspection_photos.photos_for(s, [inspection_id])[inspection_id]] == [
            photo_id
        ]


def test_photo_bounds_and_type(db, inspection_id, monkeypatch):
    png = image_bytes("PNG")
    cases = [
        (b"%PDF-1.4 not an image", "image/png", "not_an_image", 422),
        (png[: len(png) // 2], "image/png", "not_an_image", 422),
        (image_bytes("GIF"), "image/gif", "unsupported_photo_type", 422),
        (image_bytes("GIF"), "image/png", "not_an_image", 422),  # the bytes decide
        (b"", "image/png", "empty_file", 422),
    ]
    for data, ctype, code, status in cases:
        with db.session(write=True) as s, pytest.raises(DomainError) as exc:
            inspection_photos.add_photo(
                s, inspection_id, filename="x.png", content_type=ctype, data=data
            )
        assert (_errors(exc), exc.value.status) == ({code}, status), code
    monkeypatch.setattr(get_settings(), "inspection_photo_max_bytes", len(png) - 1)
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        inspection_photos.add_photo(
            s, inspection_id, filename="x.png", content_type="image/png", data=png
        )
    assert (_errors(exc), exc.value.status) == ({"photo_too_large"}, 413)
    monkeypatch.setattr(get_settings(), "inspection_photo_max_bytes", 10**6)
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        inspection_photos.add_photo(
            s, inspection_id, filename="x.png", content_type="image/png", data=png, defect_id=999
        )
    assert _errors(exc) == {"unknown_defect"}
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        inspection_photos.add_photo(
            s, 999_999, filename="x.png", content_type="image/png", data=png
        )
    assert _errors(exc) == {"unknown_inspection"}
    monkeypatch.setattr(inspection_photos, "MAX_PHOTO_PIXELS", 63)  # the 8 x 8 image is 64 pixels
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        inspection_photos.add_photo(
            s, inspection_id, filename="x.png", content_type="image/png", data=png
        )
    assert _errors(exc) == {"not_an_image"}
    with db.session() as s:
        assert s.scalars(select(InspectionPhoto)).all() == []


def test_photo_count_is_bounded(db, inspection_id, monkeypatch):
    monkeypatch.setattr(inspection_photos, "MAX_PHOTOS_PER_INSPECTION", 2)
    png = image_bytes()
    with db.session(write=True) as s:
        for _ in range(2):
            inspection_photos.add_photo(
                s, inspection_id, filename="a.png", content_type="image/png", data=png
            )
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        inspection_photos.add_photo(
            s, inspection_id, filename="a.png", content_type="image/png", data=png
        )
    assert _errors(exc) == {"too_many_photos"}


def test_concurrent_inspections_of_one_lot_stock_it_once(db, make_lot, on_hand):
    """Four threads, each its own unit of work, inspect the same lot at once: one
    inspection is recorded, the others get 409 lot_state, the units join stock once."""
    lot_id = make_lot(500)
    before = on_hand()
    threads_n = 4
    barrier = threading.Barrier(threads_n)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            barrier.wait()
            with db.session(write=True) as s:
                service.inspect_lot(s, lot_id, defects=[], actor=f"t{t}")
            outcomes.append("inspected")
        except DomainError as exc:
            outcomes.append(exc.items[0].code)
        except BaseException as exc:  # collected and raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(threads_n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not errors, errors
    assert sorted(outcomes) == ["inspected"] + ["lot_state"] * (threads_n - 1)
    with db.session() as s:
        assert len(service.inspections_for_lot(s, lot_id)) == 1
    assert on_hand() == before + 500
