"""Pure rules of compliance documents."""

from __future__ import annotations

from datetime import date

from microbag.accounts.principal import Principal
from microbag.compliance import policies

PDF = b"%PDF-1.4\n%tiny\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def test_markets_and_visibility():
    assert policies.REGIONS[0] == "all" and "other" not in policies.REGIONS
    assert set(policies.REGIONS) >= {"us", "europe", "japan_korea", "china", "middle_east"}
    assert policies.applies_to("all", "us") and policies.applies_to("us", "us")
    assert not policies.applies_to("europe", "us")
    assert not policies.applies_to("europe", None) and policies.applies_to("all", None)
    assert policies.regions_for("europe") == ("all", "europe")
    assert policies.regions_for("other") == ("all",)
    assert policies.regions_for(None) == ("all",)


def test_expiry():
    today = date(2026, 6, 1)
    assert policies.is_expired(date(2026, 5, 31), today)
    assert not policies.is_expired(date(2026, 6, 1), today)
    assert not policies.is_expired(None, today)


def test_fields_are_checked_together():
    errors = policies.validate_fields("mars", "poem", " ", date(2026, 2, 1), date(2026, 1, 1))
    assert [(e.code, e.field) for e in errors] == [
        ("unknown_region", "region"),
        ("unknown_kind", "kind"),
        ("invalid_title", "title"),
        ("invalid_validity", "valid_until"),
    ]
    assert policies.validate_fields("all", "cpsia", "CPSIA certificate", None, None) == []
    assert policies.validate_fields("us", "prop65_warning", "x" * 201, None, None)[0].field == (
        "title"
    )


def test_files_are_checked_by_content_and_size():
    assert policies.validate_file("application/pdf", PDF) is None
    assert policies.validate_file("image/png", PNG) is None
    assert policies.validate_file("application/pdf", PNG).code == "document_type_mismatch"
    assert policies.validate_file("image/svg+xml", b"<svg/>").code == "document_type_not_allowed"
    assert policies.validate_file("application/pdf", b"").code == "document_empty"
    assert policies.validate_file("application/pdf", PDF + b"0" * 100, 50).code == (
        "document_too_large"
    )


def test_only_catalog_staff_manage():
    assert policies.may_manage(Principal(1, "m@s", "merchandiser", None))
    assert policies.may_manage(Principal(1, "a@s", "admin", None))
    assert not policies.may_manage(Principal(1, "s@s", "sales", None))
    assert not policies.may_manage(Principal(1, "o@b", "owner", 5))
