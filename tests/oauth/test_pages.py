"""Sign-in, sign-up and consent pages: the automation contract, CSRF, throttling, new accounts."""
from __future__ import annotations

import re

from sqlalchemy import select

from domain.persistence.models import Account, Wallet
from oauth import bearer, connections
from tests.oauth import flow


async def _login_page(http, client):
    start = await http.get("/mcp/oauth/authorize", params=flow.authorize_params(client, flow.verifier()))
    page = await http.get(start.headers["location"])
    assert page.status_code == 200
    return page


async def test_new_user_gets_an_account_with_a_test_wallet(http, oauth_app) -> None:
    client = await flow.register(http)
    email = flow.new_email()
    consent = await flow.sign_up_to_consent(http, flow.authorize_params(client, flow.verifier()), email=email)
    assert "Test Agent" in consent and 'id="redirect-host">127.0.0.1:33418<' in consent
    assert 'data-scope="api:read"' in consent and 'data-scope="mailbook:read"' in consent
    assert 'name="decision" value="approve"' in consent and 'name="decision" value="deny"' in consent
    async with oauth_app.state.db.read() as s:
        account = (await s.execute(select(Account).where(Account.email == email))).scalar_one()
        wallets = (await s.execute(select(Wallet).where(Wallet.account_id == account.id))).scalars().all()
    assert account.password_hash and account.password_hash.startswith("$argon2id$")
    assert [(w.mode, w.currency) for w in wallets] == [("test", "eur")]


async def test_existing_user_signs_in_and_sees_consent(http, oauth_app) -> None:
    client = await flow.register(http)
    email = flow.new_email()
    await flow.sign_up_to_consent(http, flow.authorize_params(client, flow.verifier()), email=email)
    http.cookies.clear()
    page = await _login_page(http, client)
    action, hidden = flow.form_fields(page.text, "signin-form")
    assert set(hidden) == {"csrf_token", "request"}
    wrong = await http.post(action, data={**hidden, "email": email, "password": "not the password"})
    assert wrong.status_code == 401 and "do not match" in wrong.text
    ok = await http.post(action, data={**hidden, "email": email, "password": "correct horse battery"})
    assert ok.status_code == 303 and ok.headers["location"].startswith("/mcp/oauth/consent?request=")


async def test_sign_in_without_csrf_token_is_refused(http) -> None:
    client = await flow.register(http)
    page = await _login_page(http, client)
    action, hidden = flow.form_fields(page.text, "signin-form")
    answer = await http.post(action, data={"request": hidden["request"], "email": "a@b.example", "password": "x" * 9})
    assert answer.status_code == 403 and "location" not in answer.headers


async def test_failed_sign_ins_are_throttled_per_email(http) -> None:
    client = await flow.register(http)
    page = await _login_page(http, client)
    action, hidden = flow.form_fields(page.text, "signin-form")
    email = flow.new_email()
    statuses = [(await http.post(action, data={**hidden, "email": email, "password": f"guess-{i:04d}"})).status_code
                for i in range(11)]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429


async def test_signup_refuses_short_password_and_taken_email(http) -> None:
    client = await flow.register(http)
    email = flow.new_email()
    await flow.sign_up_to_consent(http, flow.authorize_params(client, flow.verifier()), email=email)
    http.cookies.clear()
    page = await _login_page(http, client)
    signup = await http.get(re.search(r'id="signup-link" href="([^"]+)"', page.text).group(1).replace("&amp;", "&"))
    action, hidden = flow.form_fields(signup.text, "signup-form")
    short = await http.post(action, data={**hidden, "email": flow.new_email(), "password": "short"})
    assert short.status_code == 400 and "at least 8" in short.text
    taken = await http.post(action, data={**hidden, "email": email, "password": "another long one"})
    assert taken.status_code == 400 and "already exists" in taken.text


async def test_connections_list_and_disconnect(http, oauth_app) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    code = await flow.get_code(http, client, v)
    tokens = (await flow.exchange(http, client, code, v)).json()
    db, settings = oauth_app.state.db, oauth_app.state.settings
    info = await bearer.verify(db, f"Bearer {tokens['access_token']}", settings)
    listed = await connections.list_connections(db, info.account_id)
    assert [(c["grantId"], c["clientName"]) for c in listed] == [(info.grant_id, "Test Agent")]
    assert listed[0]["lastUsedAt"] is not None
    await connections.revoke_connection(db, info.account_id, info.grant_id)
    assert await connections.list_connections(db, info.account_id) == []
    try:
        await bearer.verify(db, f"Bearer {tokens['access_token']}", settings)
    except bearer.BearerError as err:
        assert err.error == "invalid_token"
    else:
        raise AssertionError("disconnected token still works")


async def test_sign_out_from_consent_returns_to_sign_in(http) -> None:
    client = await flow.register(http)
    params = flow.authorize_params(client, flow.verifier())
    consent = await flow.sign_up_to_consent(http, params)
    action, hidden = flow.form_fields(consent, "signout-form")
    out = await http.post(action, data=hidden)
    assert out.status_code == 303 and out.headers["location"].startswith("/mcp/oauth/login?request=")
    page = await http.get(out.headers["location"])
    assert 'id="signin-form"' in page.text
    back = await http.get(out.headers["location"].replace("/login", "/consent"))
    assert back.status_code == 303 and "/mcp/oauth/login" in back.headers["location"]


async def test_sign_up_refuses_malformed_emails_without_creating_an_account(http, oauth_app) -> None:
    """Before: any text with an '@' became an account (SQLite stored a NUL; PostgreSQL gave 503)."""
    client = await flow.register(http)
    page = await _login_page(http, client)
    action, hidden = flow.form_fields(page.text, "signin-form")
    signup = action.replace("/login", "/signup")
    for email in ("a\x00b@example.com", "<script>@@example.com", "no spaces@example.com"):
        answer = await http.post(signup, data={**hidden, "email": email, "password": "correct horse battery"})
        assert answer.status_code == 400, (email, answer.status_code)
        login = await http.post(action, data={**hidden, "email": email, "password": "correct horse battery"})
        assert login.status_code == 401, (email, login.status_code)
    async with oauth_app.state.db.read() as s:
        assert (await s.execute(select(Account).where(Account.email.like("%script%")))).first() is None


async def test_non_ascii_csrf_token_is_refused_not_a_crash(http) -> None:
    """hmac.compare_digest raises TypeError on non-ASCII str; that was a 500 on every form."""
    client = await flow.register(http)
    page = await _login_page(http, client)
    action, hidden = flow.form_fields(page.text, "signin-form")
    answer = await http.post(action, data={**hidden, "csrf_token": "é\ud7ff", "email": "a@b.example",
                                           "password": "x" * 9})
    assert answer.status_code == 403 and "location" not in answer.headers
