"""Accounts use cases: tokens of one's own, staff administration, deactivation."""

from __future__ import annotations

import threading
import time

import pytest

from microbag.accounts import service
from microbag.errors import DomainError


def error_codes(exc: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [i.code for i in exc.value.items]


def user_id(s, email: str) -> int:
    return service.get_user_by_email(s, email).id


def test_own_tokens_create_list_revoke(db, world):
    with db.session(write=True) as s:
        me = user_id(s, "buyer@a.test")
        row, token = service.create_own_token(s, me, "laptop")
        assert token.startswith("mb_") and row.prefix == token[:10] and row.name == "laptop"
        assert service.principal_for_token(s, token).email == "buyer@a.test"
        rows, total = service.list_tokens(s, me)
        assert total == 2 and rows[0].id == row.id  # newest first
        revoked = service.revoke_token(s, me, row.id)
        assert revoked.revoked_at is not None
        assert service.principal_for_token(s, token) is None
        # Revoking again changes nothing.
        assert service.revoke_token(s, me, row.id).revoked_at == revoked.revoked_at
        # Another user's token is not found, whoever asks.
        other = user_id(s, "buyer@b.test")
        with pytest.raises(DomainError) as exc:
            service.revoke_token(s, other, row.id)
        assert exc.value.status == 404
        assert service.list_tokens(s, other)[1] == 1


def test_staff_users_list_and_update(db, world):
    with db.session(write=True) as s:
        rows, total = service.list_staff_users(s)
        assert total == 3 and [u.email for u in rows] == [
            "admin@seller.test",
            "merch@seller.test",
            "sales@seller.test",
        ]
        assert service.list_staff_users(s, role="sales")[1] == 1
        sales = user_id(s, "sales@seller.test")
        user = service.update_staff_user(s, sales, role="admin", name="Sam")
        assert (user.role, user.name) == ("admin", "Sam")
        user = service.update_staff_user(s, sales, is_active=False)
        assert not user.is_active
        assert service.list_staff_users(s, active=False)[1] == 1
        with pytest.raises(DomainError) as exc:
            service.update_staff_user(s, sales, role="owner")
        assert error_codes(exc) == ["invalid_role"]
        with pytest.raises(DomainError) as exc:
            service.update_staff_user(s, user_id(s, "owner@a.test"), role="admin")
        assert exc.value.status == 404


def test_the_last_active_admin_stays(db, world):
    with db.session(write=True) as s:
        admin = user_id(s, "admin@seller.test")
        for change in ({"role": "sales"}, {"is_active": False}):
            with pytest.raises(DomainError) as exc:
                service.update_staff_user(s, admin, **change)
            assert exc.value.status == 409 and error_codes(exc) == ["last_admin"]
        service.update_staff_user(s, user_id(s, "merch@seller.test"), role="admin")
        assert service.update_staff_user(s, admin, is_active=False).is_active is False


def test_two_admins_demoting_each_other_at_once_leave_one_admin(db, world):
    """The check and the change race: the second transaction must see the first."""
    with db.session(write=True) as s:
        service.update_staff_user(s, user_id(s, "merch@seller.test"), role="admin")
        ids = [user_id(s, "admin@seller.test"), user_id(s, "merch@seller.test")]
    first_changed = threading.Event()
    outcomes: dict[int, str] = {}

    def demote(target: int, first: bool) -> None:
        if not first:
            first_changed.wait(10)
        try:
            with db.session(write=True) as s:
                service.update_staff_user(s, target, role="sales")
                if first:
                    first_changed.set()
                    time.sleep(0.5)  # the other transaction starts before this commits
            outcomes[target] = "demoted"
        except DomainError as exc:
            outcomes[target] = exc.items[0].code
        finally:
            first_changed.set()

    threads = [
        threading.Thread(target=demote, args=(ids[0], True)),
        threading.Thread(target=demote, args=(ids[1], False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values()) == ["demoted", "last_admin"]
    with db.session() as s:
        _admins, total = service.list_staff_users(s, role="admin", active=True)
        assert total == 1


def test_deactivating_a_user_makes_their_tokens_fail_at_once(db, world):
    token = world.tokens["sales@seller.test"]
    with db.session(write=True) as s:
        assert service.principal_for_token(s, token) is not None
        service.update_staff_user(s, user_id(s, "sales@seller.test"), is_active=False)
    with db.session() as s:
        assert service.principal_for_token(s, token) is None
    with db.session(write=True) as s:
        service.update_staff_user(s, user_id(s, "sales@seller.test"), is_active=True)
    with db.session() as s:
        assert service.principal_for_token(s, token).role == "sales"


def test_a_company_user_is_deactivated_by_the_accounts_service(db, world):
    # The buyers package manages its companies' users through this function: the
    # users table is written only by accounts.service.
    token = world.tokens["buyer@a.test"]
    with db.session(write=True) as s:
        me = user_id(s, "buyer@a.test")
        with pytest.raises(DomainError) as other_company:
            service.set_company_user_active(s, world.company_b, me, is_active=False)
        assert error_codes(other_company) == ["unknown_user"]
        assert service.set_company_user_active(s, world.company_a, me, is_active=False).id == me
    with db.session() as s:
        assert service.principal_for_token(s, token) is None
    with db.session(write=True) as s:
        service.set_company_user_active(s, world.company_a, me, is_active=True)
    with db.session() as s:
        assert service.principal_for_token(s, token).email == "buyer@a.test"
