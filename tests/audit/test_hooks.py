"""Each audited change writes exactly one entry, with who, what and only the changed
fields, in the same transaction as the change (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json

import pytest

from microbag.accounts import service as accounts
from microbag.audit import service as audit
from microbag.audit.policies import REDACTED
from microbag.buyers import service as buyers
from microbag.catalog import service as catalog
from microbag.catalog.exporter import export_catalog
from microbag.catalog.importer import import_catalog
from microbag.catalog.schemas import SkuPatch, StylePatch
from microbag.errors import DomainError
from microbag.orders import service as orders
from microbag.pricing import service as pricing
from microbag.pricing.policies import Tier
from microbag.stock import service as stock
from tests.orders.support import lines

GLD = "MC-001-GLD"
SALES, ADMIN, MERCH = "sales@seller.test", "admin@seller.test", "merch@seller.test"


def only(entries: list[dict]) -> dict:
    assert len(entries) == 1, entries
    return entries[0]


def test_record_adds_the_changed_fields_in_the_callers_transaction(db, world, who, log):
    sales = who(SALES)
    with db.session(write=True) as s:
        audit.record(
            s,
            sales,
            entity="company",
            entity_id=str(world.company_a),
            action="updated",
            before={"credit_limit_minor": 5_000_000, "locale": "fr_FR"},
            after={"credit_limit_minor": 6_000_000, "locale": "fr_FR"},
            company_id=world.company_a,
        )
    entry = only(log())
    assert entry["actor"] == SALES and entry["actor_user_id"] == sales.user_id
    assert entry["before"] == {"credit_limit_minor": 5_000_000}
    assert entry["after"] == {"credit_limit_minor": 6_000_000}
    assert entry["company_id"] == world.company_a and entry["at"].tzinfo is not None


def test_an_update_that_changes_nothing_leaves_no_entry(db, world, who, log):
    with db.session(write=True) as s:
        buyers.update_company(s, world.company_a, {"locale": "fr_FR"}, actor=who(SALES))
        audit.record(s, None, entity="order", entity_id="1", action="updated", before={}, after={})
    assert log() == []


def test_a_rolled_back_change_writes_no_entry(db, world, who, log):
    with pytest.raises(DomainError), db.session(write=True) as s:
        buyers.update_company(s, world.company_a, {"credit_limit_minor": 1}, actor=who(SALES))
        raise DomainError.single("later_failure", "a later step of the same unit of work fails")
    assert log() == []
    with db.session() as s:
        assert buyers.get_company(s, world.company_a).credit_limit_minor == 5_000_000


def test_price_list_created_updated_and_items_changed(db, world, who, log):
    sales = who(SALES)
    with db.session(write=True) as s:
        created = pricing.create_price_list(
            s, name="Atelier contract", currency="EUR", company_id=world.company_a, actor=sales
        )
    with db.session(write=True) as s:
        pricing.update_price_list(s, created.id, {"min_order_value_minor": 80_000}, actor=sales)
    eur = world.price_lists["EUR"]
    with db.session(write=True) as s:
        pricing.set_item_terms(
            s, eur, GLD, moq=12, case_pack=6, tiers=[Tier(12, 4_400), Tier(60, 3_500)], actor=sales
        )
    with db.session(write=True) as s:
        pricing.remove_item(s, eur, "CB-001-TAN", actor=sales)
    lists = log("price_list")
    assert [e["action"] for e in lists] == ["created", "updated"]
    assert lists[0]["after"]["name"] == "Atelier contract"
    assert lists[0]["company_id"] == world.company_a and lists[0]["before"] == {}
    assert lists[1]["before"] == {"min_order_value_minor": 0}
    assert lists[1]["after"] == {"min_order_value_minor": 80_000}
    updated, removed = log("price_list_item")
    assert updated["entity_id"] == f"{eur}:{GLD}" and updated["action"] == "updated"
    assert updated["before"] == {"moq": 6, "tiers": [[6, 4500], [24, 4050], [60, 3600]]}
    assert updated["after"] == {"moq": 12, "tiers": [[12, 4400], [60, 3500]]}
    assert removed["action"] == "deleted" and removed["after"] == {}
    assert removed["before"]["case_pack"] == 6 and removed["before"]["moq"] == 6


def test_credit_limit_and_terms_of_a_company(db, world, who, log):
    with db.session(write=True) as s:
        buyers.update_company(
            s,
            world.company_b,
            {"credit_limit_minor": 12_000_000, "payment_terms_days": None},
            actor=who(ADMIN),
        )
    entry = only(log("company"))
    assert entry["entity_id"] == str(world.company_b) and entry["company_id"] == world.company_b
    assert entry["before"] == {"credit_limit_minor": 10_000_000, "payment_terms_days": 60}
    assert entry["after"] == {"credit_limit_minor": 12_000_000, "payment_terms_days": None}
    assert entry["actor"] == ADMIN


def test_stock_count_by_staff_and_by_the_cli(db, world, who, log):
    with db.session(write=True) as s:
        stock.set_stock(s, GLD, "MAIN", 140, actor=who(MERCH))
    with db.session(write=True) as s:
        stock.set_stock(s, GLD, None, 90, actor_label="cli")
    first, second = log("stock_level")
    assert first["entity_id"] == f"{GLD}@MAIN" and first["actor"] == MERCH
    assert (first["before"], first["after"]) == ({"on_hand": 100}, {"on_hand": 140})
    assert second["actor"] == "cli" and second["actor_user_id"] is None
    assert (second["before"], second["after"]) == ({"on_hand": 140}, {"on_hand": 90})


def test_placing_an_order_reserves_stock_without_audit_entries(db, world, who, log):
    with db.session(write=True) as s:
        orders.place_order(s, who("buyer@a.test"), lines((GLD, 12)))
    assert log() == []


def test_styles_and_skus(db, world, who, log):
    merch = who(MERCH)
    with db.session(write=True) as s:
        style_id = catalog.get_sku(s, GLD).style_id
        catalog.update_style(s, style_id, StylePatch(name="Gala Clutch"), actor=merch)
    with db.session(write=True) as s:
        catalog.discontinue_style(s, style_id, actor=merch)
    with db.session(write=True) as s:
        catalog.update_sku(s, GLD, SkuPatch(color="champagne"), actor=merch)
    renamed, discontinued = log("style")
    assert (renamed["before"], renamed["after"]) == (
        {"name": "Gala Micro Clutch"},
        {"name": "Gala Clutch"},
    )
    assert discontinued["action"] == "discontinued"
    assert discontinued["after"] == {"lifecycle": "discontinued"}
    sku = only(log("sku"))
    assert sku["entity_id"] == GLD
    assert (sku["before"], sku["after"]) == ({"color": "gold"}, {"color": "champagne"})


def test_users_roles_and_password_resets_are_redacted(db, world, who, log):
    admin = who(ADMIN)
    with db.session(write=True) as s:
        user = accounts.create_user(
            s,
            email="new@seller.test",
            role="sales",
            company_id=None,
            password="a long password 1",
            actor=admin,
        )
        user_id = user.id
    with db.session(write=True) as s:
        accounts.update_staff_user(s, user_id, role="merchandiser", actor=admin)
    with db.session(write=True) as s:
        accounts.set_password(s, "new@seller.test", "another long one 2", actor_label="cli")
    with db.session(write=True) as s:
        buyers.set_company_user_active(
            s, world.company_a, who("viewer@a.test").user_id, is_active=False, actor=who(SALES)
        )
    created, promoted, reset, deactivated = log("user")
    assert created["action"] == "created" and created["after"]["role"] == "sales"
    assert created["after"]["password_hash"] == REDACTED
    assert (promoted["before"], promoted["after"]) == ({"role": "sales"}, {"role": "merchandiser"})
    assert reset["action"] == "password_reset" and reset["actor"] == "cli"
    assert reset["before"] == {"password_hash": REDACTED}
    assert reset["after"] == {"password_hash": REDACTED}
    assert "$argon2" not in json.dumps([e["before"] | e["after"] for e in log()])
    assert deactivated["company_id"] == world.company_a
    assert (deactivated["before"], deactivated["after"]) == (
        {"is_active": True},
        {"is_active": False},
    )


def test_order_overrides_by_staff(db, world, who, log):
    buyer, sales = who("buyer@a.test"), who(SALES)
    with db.session(write=True) as s:
        first, _ = orders.place_order(s, buyer, lines((GLD, 12)))
        second, _ = orders.place_order(s, buyer, lines(("MT-001-RED", 12)))
        third, _ = orders.place_order(s, buyer, lines(("MC-001-BLK", 12)))
    with db.session(write=True) as s:
        orders.cancel_order(s, buyer, second.id)  # the buyer's own: no override
    with db.session(write=True) as s:
        orders.confirm_order(s, sales, first.id)
    with db.session(write=True) as s:
        orders.cancel_order(s, sales, first.id, "customer asked by phone")
    with db.session(write=True) as s:
        orders.confirm_order(s, sales, third.id)
        orders.mark_paid(s, sales, third.id)
    cancelled, paid = log("order")
    assert cancelled["entity_id"] == str(first.id) and cancelled["company_id"] == world.company_a
    assert cancelled["before"] == {"status": "confirmed"}
    assert cancelled["after"] == {"status": "cancelled", "reason": "customer asked by phone"}
    assert paid["entity_id"] == str(third.id)
    assert paid["action"] == "marked_paid" and paid["before"] == {"paid_at": None}
    assert isinstance(paid["after"]["paid_at"], str) and paid["actor"] == SALES


def test_a_catalog_import_is_one_entry_with_its_counts(db, world, who, log):
    out = io.BytesIO()
    with db.session() as s:
        export_catalog(s, "csv", out, None)
    with db.session() as s:  # a dry run writes nothing, so it is not audited
        import_catalog(s, out.getvalue(), "catalog.csv", dry_run=True, actor=who(MERCH))
    with db.session(write=True) as s:
        import_catalog(s, out.getvalue(), "catalog.csv", actor=who(MERCH))
    entry = only(log())
    assert (entry["entity"], entry["entity_id"], entry["action"]) == (
        "catalog_import",
        "catalog.csv",
        "imported",
    )
    assert entry["after"] == {
        "rows": 4,
        "styles_created": 0,
        "styles_updated": 3,
        "skus_created": 0,
        "skus_updated": 4,
    }
