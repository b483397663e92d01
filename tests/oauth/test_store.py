"""The authorization server's storage (``oauth/store.py``) called directly on the test database:
a code is redeemed once, a refresh token rotates once (again within the grace window, never
after it or once revoked), and every update touches only the row it names."""
from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from domain.core.clock import utcnow
from oauth.models import OAuthCode, OAuthGrant, OAuthToken
from oauth.store import NewToken, SqlStore

GRACE = timedelta(seconds=30)


def _hash(first: str) -> str:
    """A digest-shaped key starting with ``first``, so tests control how keys sort."""
    return (first + uuid.uuid4().hex * 2)[:64]


async def _grant(store: SqlStore, account: dict, first: str = "m", **code: object) -> tuple[str, str]:
    """(grant id, code hash) of a fresh grant with one unused code."""
    now = utcnow()
    grant = OAuthGrant(id=f"ogr_{first}{uuid.uuid4().hex[:20]}", account_id=account["id"], client_id="cl_store",
                       client_name="Store test", scope="api:read", resource="http://127.0.0.1:8000/mcp/",
                       created_at=now)
    row = OAuthCode(code_hash=code.pop("code_hash", _hash(first)), grant_id=grant.id, client_id="cl_store",
                    redirect_uri="http://127.0.0.1:33418/callback", code_challenge="c" * 43,
                    code_challenge_method="S256", expires_at=now + timedelta(minutes=1), created_at=now)
    await store.create_code(grant, row)
    return grant.id, row.code_hash


def _pair(first: str = "m", scope: str = "api:read") -> list[NewToken]:
    later = utcnow() + timedelta(hours=1)
    return [NewToken(_hash(first), "access", scope, later), NewToken(_hash(first), "refresh", scope, later)]


async def _family(store: SqlStore, account: dict, first: str = "m") -> tuple[str, list[NewToken]]:
    grant_id, code = await _grant(store, account, first)
    tokens = _pair(first)
    assert await store.redeem_code(code, grant_id, utcnow(), tokens)
    return grant_id, tokens


async def _grant_row(db, grant_id: str) -> OAuthGrant:
    async with db.read() as s:
        return await s.get(OAuthGrant, grant_id)


async def _used_at(db, code_hash: str):
    async with db.read() as s:
        return (await s.execute(select(OAuthCode.used_at).where(OAuthCode.code_hash == code_hash))).scalar_one()


async def test_a_code_is_found_with_its_own_grant_and_an_unknown_one_is_none(db, account) -> None:
    store = SqlStore(db)
    grants = [await _grant(store, account, first) for first in ("0", "m", "z")]
    for grant_id, code in grants:
        view = await store.get_code(code)
        assert (view.code_hash, view.grant.id, view.used_at) == (code, grant_id, None)
        assert view.get_redirect_uri() == "http://127.0.0.1:33418/callback" and view.get_scope() == "api:read"
    assert await store.get_code(_hash("m")) is None


async def test_a_code_is_redeemed_once_and_a_second_redemption_revokes_the_grant(db, account) -> None:
    store = SqlStore(db)
    grant_id, code = await _grant(store, account)
    first, second = _pair(), _pair()
    assert await store.redeem_code(code, grant_id, utcnow(), first) is True
    assert await store.redeem_code(code, grant_id, utcnow(), second) is False
    assert await store.get_token(second[0].token_hash) is None  # nothing issued the second time
    assert (await _grant_row(db, grant_id)).revoked_reason == "code_reuse"
    assert not (await store.get_token(first[0].token_hash)).is_live(utcnow())  # the first use's tokens die


async def test_burning_a_code_spends_that_code_only_and_keeps_its_first_instant(db, account) -> None:
    store = SqlStore(db)
    (_, low), (grant_id, mid), (_, high) = [await _grant(store, account, first) for first in ("0", "m", "z")]
    burnt_at = utcnow()
    await store.burn_code(mid, burnt_at)
    await store.burn_code(mid, burnt_at + timedelta(seconds=5))
    assert await _used_at(db, mid) == burnt_at
    assert await _used_at(db, low) is None and await _used_at(db, high) is None
    assert await store.redeem_code(mid, grant_id, utcnow(), _pair()) is False  # a burnt code counts as reuse


async def test_each_token_is_found_with_its_kind_scope_and_grant(db, account) -> None:
    store = SqlStore(db)
    for first in ("0", "m", "z"):
        grant_id, (access, refresh) = await _family(store, account, first)
        for token in (access, refresh):
            view = await store.get_token(token.token_hash)
            assert (view.token_hash, view.kind, view.get_scope(), view.grant.id) == (
                token.token_hash, token.kind, "api:read", grant_id)
    assert await store.get_token(_hash("m")) is None


class _Client:
    def __init__(self, client_id: str) -> None:
        self.client_id = client_id

    def get_client_id(self) -> str:
        return self.client_id


async def test_a_token_belongs_to_its_grants_client_only(db, account) -> None:
    store = SqlStore(db)
    _, (access, _) = await _family(store, account)
    view = await store.get_token(access.token_hash)
    assert view.check_client(_Client("cl_store"))
    assert not view.check_client(_Client("cl_other"))
    assert not view.check_client(_Client("cl_a")) and not view.check_client(_Client("cl_z"))


async def test_a_token_is_live_until_its_expiry_instant_and_while_neither_it_nor_its_grant_is_revoked(
        db, account) -> None:
    store = SqlStore(db)
    grant_id, (access, refresh) = await _family(store, account)
    view = await store.get_token(access.token_hash)
    assert view.is_live(view.expires_at - timedelta(microseconds=1))
    assert not view.is_live(view.expires_at) and not view.is_live(view.expires_at + timedelta(seconds=1))
    await store.revoke_token(access.token_hash, utcnow())
    assert not (await store.get_token(access.token_hash)).is_live(utcnow())
    assert (await store.get_token(refresh.token_hash)).is_live(utcnow())  # only that token
    await store.revoke_grant(grant_id, utcnow(), "revoked_by_client")
    refresh_view = await store.get_token(refresh.token_hash)
    assert refresh_view.revoked_at is None and not refresh_view.is_live(utcnow())  # through its grant


async def test_revoking_a_token_or_a_grant_touches_nothing_else_and_keeps_the_first_reason(db, account) -> None:
    store = SqlStore(db)
    families = [await _family(store, account, first) for first in ("0", "m", "z")]
    (low_grant, low), (mid_grant, mid), (high_grant, high) = families
    at = utcnow()
    await store.revoke_token(mid[0].token_hash, at)
    await store.revoke_token(mid[0].token_hash, at + timedelta(seconds=5))
    assert (await store.get_token(mid[0].token_hash)).revoked_at == at
    for token in (*low, mid[1], *high):
        assert (await store.get_token(token.token_hash)).revoked_at is None
    await store.revoke_grant(mid_grant, at, "revoked_by_client")
    await store.revoke_grant(mid_grant, at + timedelta(seconds=5), "refresh_reuse")
    row = await _grant_row(db, mid_grant)
    assert (row.revoked_at, row.revoked_reason) == (at, "revoked_by_client")
    assert (await _grant_row(db, low_grant)).revoked_at is None
    assert (await _grant_row(db, high_grant)).revoked_at is None


async def _rotated(store: SqlStore, token_hash: str, grant_id: str) -> list[tuple[Any, Any]]:
    """Rotate the refresh token now (this call must spend it); each successor with its stored view."""
    at = utcnow()
    successors = _pair()
    assert await store.rotate_refresh(token_hash, grant_id, at, successors, GRACE) is True
    assert (await store.get_token(token_hash)).used_at == at
    return [(token, await store.get_token(token.token_hash)) for token in successors]


async def test_a_refresh_token_rotates_once_and_its_successors_are_stored(db, account) -> None:
    store = SqlStore(db)
    grant_id, (_, refresh) = await _family(store, account)
    for token, view in await _rotated(store, refresh.token_hash, grant_id):
        assert (view.kind, view.grant.id, view.used_at) == (token.kind, grant_id, None)


async def test_a_replay_within_grace_gets_tokens_up_to_the_last_instant_and_after_it_ends_the_family(
        db, account) -> None:
    store = SqlStore(db)
    grant_id, (_, refresh) = await _family(store, account)
    at = utcnow()
    assert await store.rotate_refresh(refresh.token_hash, grant_id, at, _pair(), GRACE)
    retry = _pair()
    assert await store.rotate_refresh(refresh.token_hash, grant_id, at + GRACE, retry, GRACE) is True
    assert (await store.get_token(retry[0].token_hash)).is_live(at + GRACE)
    late = _pair()
    assert await store.rotate_refresh(refresh.token_hash, grant_id, at + GRACE + timedelta(microseconds=1),
                                      late, GRACE) is False
    assert await store.get_token(late[0].token_hash) is None
    assert (await _grant_row(db, grant_id)).revoked_reason == "refresh_reuse"


async def test_without_a_grace_window_only_the_same_instant_counts_as_a_retry(db, account) -> None:
    store = SqlStore(db)
    grant_id, (_, refresh) = await _family(store, account)
    at = utcnow()
    assert await store.rotate_refresh(refresh.token_hash, grant_id, at, _pair())
    assert await store.rotate_refresh(refresh.token_hash, grant_id, at, _pair()) is True
    assert (await _grant_row(db, grant_id)).revoked_at is None
    assert await store.rotate_refresh(refresh.token_hash, grant_id, at + timedelta(seconds=1), _pair()) is False
    assert (await _grant_row(db, grant_id)).revoked_reason == "refresh_reuse"


async def test_an_access_token_never_rotates_and_presenting_it_ends_the_family(db, account) -> None:
    store = SqlStore(db)
    grant_id, (access, _) = await _family(store, account)
    assert await store.rotate_refresh(access.token_hash, grant_id, utcnow(), _pair(), GRACE) is False
    assert (await store.get_token(access.token_hash)).used_at is None
    assert (await _grant_row(db, grant_id)).revoked_reason == "refresh_reuse"


async def test_a_spent_token_later_revoked_or_of_a_revoked_family_gets_nothing_even_within_grace(
        db, account) -> None:
    store = SqlStore(db)
    at = utcnow()
    revoked_token_grant, (_, first) = await _family(store, account, "0")
    assert await store.rotate_refresh(first.token_hash, revoked_token_grant, at, _pair(), GRACE)
    await store.revoke_token(first.token_hash, at)
    assert await store.rotate_refresh(first.token_hash, revoked_token_grant, at, _pair(), GRACE) is False
    revoked_grant, (_, second) = await _family(store, account, "z")
    _, (_, bystander) = await _family(store, account, "m")  # a live family next to it
    assert await store.rotate_refresh(second.token_hash, revoked_grant, at, _pair(), GRACE)
    await store.revoke_grant(revoked_grant, at, "revoked_by_client")
    assert await store.rotate_refresh(second.token_hash, revoked_grant, at, _pair(), GRACE) is False
    assert (await store.get_token(bystander.token_hash)).is_live(at)


async def test_an_unspent_revoked_or_unknown_refresh_token_is_refused(db, account) -> None:
    store = SqlStore(db)
    grant_id, (_, refresh) = await _family(store, account)
    await store.revoke_token(refresh.token_hash, utcnow())
    assert await store.rotate_refresh(refresh.token_hash, grant_id, utcnow(), _pair(), GRACE) is False
    other_grant, _ = await _family(store, account)
    assert await store.rotate_refresh(_hash("m"), other_grant, utcnow(), _pair(), GRACE) is False


async def test_touching_a_grant_stamps_it_at_most_once_per_interval_and_no_other_grant(db, account) -> None:
    store = SqlStore(db)
    (low, _), (mid, _), (high, _) = [await _grant(store, account, first) for first in ("0", "m", "z")]
    at = utcnow()
    await store.touch_grant(mid, at, 60)
    assert (await _grant_row(db, mid)).last_used_at == at
    assert (await _grant_row(db, low)).last_used_at is None and (await _grant_row(db, high)).last_used_at is None
    await store.touch_grant(mid, at + timedelta(seconds=30), 60)
    await store.touch_grant(mid, at + timedelta(seconds=60), 60)  # exactly one interval: not yet
    assert (await _grant_row(db, mid)).last_used_at == at
    later = at + timedelta(seconds=60, microseconds=1)
    await store.touch_grant(mid, later, 60)
    assert (await _grant_row(db, mid)).last_used_at == later


async def test_an_accounts_grants_are_listed_newest_first_without_revoked_ones(db, account) -> None:
    from domain.accounts.accounts import create_account

    store = SqlStore(db)
    async with db.transaction() as s:
        other = await create_account(s, f"other-{uuid.uuid4().hex[:10]}@example.com", approve=True)
    older, _ = await _grant(store, account, "z")
    revoked, _ = await _grant(store, account, "m")
    newer, _ = await _grant(store, account, "0")
    await _grant(store, {"id": other.id}, "m")
    await store.revoke_grant(revoked, utcnow(), "revoked_by_client")
    assert [g.id for g in await store.list_grants(account["id"])] == [newer, older]


async def test_the_views_handed_out_cannot_be_altered(db, account) -> None:
    store = SqlStore(db)
    grant_id, code = await _grant(store, account)
    code_view = await store.get_code(code)
    _, (access, _) = await _family(store, account)
    token_view = await store.get_token(access.token_hash)
    for view, field in ((code_view, "used_at"), (code_view.grant, "revoked_at"), (token_view, "revoked_at"),
                        (access, "scope")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(view, field, None)


@pytest.mark.parametrize("probe", ["access", "unknown"])
async def test_a_hash_next_to_a_refresh_token_spent_a_moment_ago_does_not_borrow_its_grace(
        db, account, probe: str) -> None:
    """The grace lookup must read the presented token's own row, not the nearest one: an access
    token or an unknown hash sorting just below a sibling refresh token spent within grace is refused."""
    store = SqlStore(db)
    stem = _hash("m")[:63]
    later = utcnow() + timedelta(hours=1)
    access = NewToken(stem + "0", "access", "api:read", later)
    refresh = NewToken(stem + "2", "refresh", "api:read", later)
    grant_id, code = await _grant(store, account)
    assert await store.redeem_code(code, grant_id, utcnow(), [access, refresh])
    at = utcnow()
    assert await store.rotate_refresh(refresh.token_hash, grant_id, at, _pair(), GRACE)
    presented = access.token_hash if probe == "access" else stem + "1"
    successors = _pair()
    assert await store.rotate_refresh(presented, grant_id, at, successors, GRACE) is False
    assert await store.get_token(successors[0].token_hash) is None
    assert (await _grant_row(db, grant_id)).revoked_reason == "refresh_reuse"


async def test_the_update_alone_decides_a_rotation_and_a_family_revoked_meanwhile_gets_only_dead_tokens(
        db, account) -> None:
    """``rotate_refresh`` answers whether this call spent the token; the family's revocation is the
    caller's check (``RefreshGrant`` reads ``is_live`` first). A grant revoked between that read and the
    rotation still lets the unspent token rotate once, and its successors die with the grant."""
    store = SqlStore(db)
    grant_id, (_, refresh) = await _family(store, account)
    await store.revoke_grant(grant_id, utcnow(), "revoked_by_client")
    for _, view in await _rotated(store, refresh.token_hash, grant_id):
        assert view.grant.id == grant_id and not view.is_live(utcnow())
    assert (await _grant_row(db, grant_id)).revoked_reason == "revoked_by_client"
