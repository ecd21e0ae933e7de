"""Accounts, sessions, throttling and CSRF, through the real app on real PostGIS."""

from __future__ import annotations

from tests.admin.conftest import ADMIN, EDITOR, log_in
from tests.conftest import lernorte, sql


def test_create_user_needs_a_password_and_refuses_weak_ones(fresh_url):
    weak = lernorte(fresh_url, "create-user", "a@example.org", "--role", "admin",
                    "--password-stdin", input="short\n")
    assert weak.returncode == 1 and "10 characters" in weak.stderr
    ok = lernorte(fresh_url, "create-user", "A@Example.org", "--role", "admin",
                  "--password-stdin", input="a long enough password\n")
    assert ok.returncode == 0, ok.stderr
    again = lernorte(fresh_url, "create-user", "a@example.org", "--role", "editor",
                     "--password-stdin", input="another long password\n")
    assert again.returncode == 1 and "exists already" in again.stderr


def test_password_is_stored_as_argon2id(pg, fresh_db, accounts):
    (stored,) = sql(pg, fresh_db, "SELECT password_hash FROM users WHERE email = %s", (ADMIN[0],))[0]
    assert stored.startswith("$argon2id$") and ADMIN[1] not in stored


def test_login_sets_a_safe_cookie_and_stores_only_the_token_hash(pg, fresh_db, make_client,
                                                                  accounts):
    client = make_client(accounts)
    response = client.post("/api/admin/session", json={"email": ADMIN[0], "password": ADMIN[1]})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    token = client.cookies.get("lernorte_session")
    stored = sql(pg, fresh_db, "SELECT encode(token_hash, 'hex') FROM sessions")
    assert len(stored) == 1 and token not in stored[0][0]
    assert client.get("/api/admin/me").json()["user"]["email"] == ADMIN[0]


def test_cookie_is_secure_behind_a_trusted_https_proxy_only(make_client, accounts):
    body = {"email": ADMIN[0], "password": ADMIN[1]}
    https = {"X-Forwarded-Proto": "https"}
    trusted = make_client(accounts, trusted_proxies=["testclient"])
    assert "Secure" in trusted.post("/api/admin/session", json=body, headers=https).headers["set-cookie"]
    untrusted = make_client(accounts)
    assert "Secure" not in untrusted.post("/api/admin/session", json=body,
                                          headers=https).headers["set-cookie"]


def test_failed_login_does_not_reveal_whether_the_account_exists(make_client, accounts):
    client = make_client(accounts)
    wrong_password = client.post("/api/admin/session",
                                 json={"email": ADMIN[0], "password": "wrong password!"})
    no_account = client.post("/api/admin/session",
                             json={"email": "nobody@example.org", "password": "wrong password!"})
    assert wrong_password.status_code == no_account.status_code == 401
    assert wrong_password.json()["detail"] == no_account.json()["detail"]
    assert "lernorte_session" not in client.cookies


def test_repeated_failures_throttle_the_account_even_with_the_right_password(make_client, accounts):
    client = make_client(accounts, login_max_failures=3)
    for _ in range(3):
        assert client.post("/api/admin/session",
                           json={"email": ADMIN[0], "password": "guess guess guess"}
                           ).status_code == 401
    # A second process sees the same attempts: they are in the database.
    other = make_client(accounts, login_max_failures=3)
    locked = other.post("/api/admin/session", json={"email": ADMIN[0], "password": ADMIN[1]})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    # Another account from another process is not locked by the first one's failures.
    assert other.post("/api/admin/session",
                      json={"email": EDITOR[0], "password": EDITOR[1]}).status_code == 200


def test_repeated_failures_throttle_the_client_address(make_client, accounts):
    client = make_client(accounts, login_max_failures_per_client=4)
    for n in range(4):
        client.post("/api/admin/session", json={"email": f"x{n}@example.org", "password": "nope nope"})
    assert client.post("/api/admin/session",
                       json={"email": ADMIN[0], "password": ADMIN[1]}).status_code == 429


def test_requests_without_a_csrf_token_are_refused(logged_in):
    client = logged_in()
    token = client.headers.pop("X-CSRF-Token")
    body = {"name": "Stadtbibliothek Fulda", "categories": ["bibliothek"]}
    refused = client.post("/api/admin/places", json=body)
    assert refused.status_code == 403
    wrong = client.post("/api/admin/places", json=body, headers={"X-CSRF-Token": "x" + token})
    assert wrong.status_code == 403
    assert client.post("/api/admin/places", json=body,
                       headers={"X-CSRF-Token": token}).status_code == 201


def test_logout_ends_the_session_everywhere(logged_in):
    client = logged_in()
    stolen_cookie = client.cookies.get("lernorte_session")
    assert client.delete("/api/admin/session").status_code == 204
    client.cookies.set("lernorte_session", stolen_cookie)
    assert client.get("/api/admin/me").status_code == 401


def test_password_change_checks_the_old_one_and_ends_other_sessions(logged_in, make_client,
                                                                     accounts):
    client = logged_in()
    other = logged_in()
    assert client.post("/api/admin/password",
                       json={"current": "wrong one!!", "new": "a new password 123"}
                       ).status_code == 422
    assert client.post("/api/admin/password",
                       json={"current": ADMIN[1], "new": "a new password 123"}).status_code == 204
    assert client.get("/api/admin/me").status_code == 200
    assert other.get("/api/admin/me").status_code == 401
    fresh = make_client(accounts)
    assert fresh.post("/api/admin/session", json={"email": ADMIN[0], "password": ADMIN[1]}
                      ).status_code == 401
    log_in(fresh, ADMIN[0], "a new password 123")


def test_an_editor_cannot_manage_users(logged_in):
    editor = logged_in(EDITOR)
    assert editor.get("/api/admin/users").status_code == 403
    assert editor.post("/api/admin/users", json={"email": "new@example.org",
                                                 "password": "long enough pw",
                                                 "role": "admin"}).status_code == 403


def test_admin_manages_users_and_deactivation_logs_out(logged_in):
    admin = logged_in()
    editor = logged_in(EDITOR)
    users = {u["email"]: u for u in admin.get("/api/admin/users").json()}
    target = users[EDITOR[0]]
    changed = admin.patch(f"/api/admin/users/{target['id']}",
                          json={"role": "editor", "municipalities": ["06631"], "active": False})
    assert changed.status_code == 200 and changed.json()["municipalities"] == ["06631"]
    assert editor.get("/api/admin/me").status_code == 401
    created = admin.post("/api/admin/users", json={"email": "neu@example.org",
                                                   "password": "long enough pw",
                                                   "role": "editor"})
    assert created.status_code == 201


def test_admin_pages_and_api_cannot_be_framed(logged_in):
    client = logged_in()
    response = client.get("/api/admin/me")
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
