"""The admin pages as a browser without JavaScript uses them: forms, CSRF, escaping, framing."""

from __future__ import annotations

import re

from tests.admin.conftest import ADMIN, EDITOR

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _login(client, who=ADMIN):
    form = client.get("/admin/login")
    token = CSRF.search(form.text).group(1)
    return client.post("/admin/login", data={"csrf_token": token, "email": who[0],
                                             "password": who[1], "next": "/admin/places"},
                       follow_redirects=False)


def test_admin_pages_need_a_login_and_cannot_be_framed(make_client, accounts):
    client = make_client(accounts)
    response = client.get("/admin/places", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")
    login = client.get("/admin/login")
    assert login.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in login.headers["content-security-policy"]
    assert "<script>" not in login.text and " on" + "click=" not in login.text


def test_login_form_needs_its_csrf_token_and_does_not_reveal_accounts(make_client, accounts):
    client = make_client(accounts)
    client.get("/admin/login")
    forged = client.post("/admin/login", data={"email": ADMIN[0], "password": ADMIN[1]})
    assert forged.status_code == 403
    wrong = _login(make_client(accounts), (ADMIN[0], "wrong password"))
    unknown = _login(make_client(accounts), ("nobody@example.org", "wrong password"))
    assert wrong.status_code == unknown.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist falsch." in wrong.text
    assert "E-Mail-Adresse oder Passwort ist falsch." in unknown.text


def test_a_form_post_without_the_session_token_is_refused(make_client, accounts):
    client = make_client(accounts)
    assert _login(client).status_code == 303
    page = client.get("/admin/places/new")
    token = CSRF.search(page.text).group(1)
    data = {"name": "Musikschule Fulda", "category": "musikschule", "lon": "9.68", "lat": "50.55"}
    assert client.post("/admin/places/new", data=data).status_code == 403
    saved = client.post("/admin/places/new", data={**data, "csrf_token": token},
                        follow_redirects=False)
    assert saved.status_code == 303 and "/admin/places/" in saved.headers["location"]


def test_script_like_text_stays_inert_on_every_page(make_client, accounts):
    client = make_client(accounts)
    _login(client)
    token = CSRF.search(client.get("/admin/places/new").text).group(1)
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&'
    saved = client.post("/admin/places/new", data={
        "csrf_token": token, "name": evil, "category": "museum", "lon": "9.68", "lat": "50.55",
        "description": evil, "provider": evil}, follow_redirects=False)
    place_url = saved.headers["location"].split("?")[0]
    place_id = int(place_url.rsplit("/", 1)[1])
    version = client.get(f"/api/admin/places/{place_id}").json()["place"]["version"]
    client.post(f"/admin/places/{place_id}/status",
                data={"csrf_token": token, "action": "publish", "version": version})
    pages = [place_url, f"{place_url}/history", "/admin/places?q=alert", f"/orte/{place_id}", "/"]
    for url in pages:
        html = client.get(url).text
        assert "<script>alert(1)" not in html, url
        assert "<img src=x" not in html, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(place_url).text
    api = client.get(f"/api/places/{place_id}").json()
    assert api["properties"]["name"] == evil


def test_the_interface_speaks_english(make_client, accounts):
    client = make_client(accounts)
    assert "Log in" in client.get("/admin/login?lang=en").text
    _login(client, EDITOR)
    page = client.get("/admin/places")
    assert "Places" in page.text and "Accounts" not in page.text
