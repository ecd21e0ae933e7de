"""Categories management: admins rename, recolour and add categories; the public API shows it."""

from __future__ import annotations

from tests.admin.conftest import ADMIN, EDITOR


def _category(client, slug: str, lang: str = "en") -> dict:
    stages = client.get(f"/api/categories?lang={lang}").json()["stages"]
    return next(c for s in stages for c in s["categories"] if c["slug"] == slug)


def test_admin_renames_a_category_on_the_page_and_the_public_api_shows_it(logged_in, make_client,
                                                                          accounts):
    admin, public = logged_in(ADMIN), make_client(accounts)
    first = public.get("/api/categories?lang=en")
    assert _category(public, "grundschule")["name"] == "Primary school"
    page = admin.get("/admin/categories")
    assert page.status_code == 200 and 'id="cat-grundschule"' in page.text
    response = admin.post("/admin/categories/grundschule", data={
        "name_de": "Grundschule", "name_en": "Elementary school", "name_uk": "", "name_ar": "",
        "colour": "#1D4ED8", "icon": "stage-schule", "sort_order": "4", "stage": "schule"},
        follow_redirects=False)
    assert response.status_code == 303
    renamed = _category(public, "grundschule")
    assert (renamed["name"], renamed["icon"], renamed["colour"]) == (
        "Elementary school", "stage-schule", "#1d4ed8")
    # A language left empty falls back to German.
    assert _category(public, "grundschule", "uk")["name"] == "Grundschule"
    again = public.get("/api/categories?lang=en", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200


def test_admin_api_lists_creates_and_updates_categories(logged_in, make_client, accounts):
    admin, public = logged_in(ADMIN), make_client(accounts)
    listed = admin.get("/api/admin/categories").json()
    assert {"slug": "kita", "stage": "fruehkindlich"}.items() <= listed[0].items()
    created = admin.post("/api/admin/categories", json={
        "slug": "lernwerkstatt", "names": {"de": "Lernwerkstatt", "en": "Learning workshop"},
        "colour": "#6d28d9", "icon": "stage-weiterbildung", "stage": "weiterbildung"})
    assert created.status_code == 201, created.text
    assert created.json()["sort_order"] == max(c["sort_order"] for c in listed) + 1
    assert _category(public, "lernwerkstatt")["name"] == "Learning workshop"
    moved = admin.patch("/api/admin/categories/lernwerkstatt",
                        json={"stage": "kultur", "sort_order": 1})
    assert moved.status_code == 200 and moved.json()["names"]["en"] == "Learning workshop"
    stages = public.get("/api/categories").json()["stages"]
    kultur = next(s for s in stages if s["slug"] == "kultur")
    assert kultur["categories"][0]["slug"] == "lernwerkstatt"


def test_invalid_categories_are_refused_with_reasons(logged_in):
    admin = logged_in(ADMIN)
    base = {"names": {"de": "Neu"}, "icon": "stage-kultur", "stage": "kultur"}
    cases = [
        ({**base, "slug": "Neu Kategorie", "colour": "#6d28d9"}, "slug"),
        ({**base, "slug": "kita", "colour": "#6d28d9"}, "already in use"),
        ({**base, "slug": "schule", "colour": "#6d28d9"}, "already in use"),
        ({**base, "slug": "neu", "colour": "red"}, "#rrggbb"),
        ({**base, "slug": "neu", "colour": "#fde047"}, "contrast"),
        ({**base, "slug": "neu", "colour": "#6d28d9", "icon": "../../etc/passwd"}, "icon"),
        ({**base, "slug": "neu", "colour": "#6d28d9", "names": {"en": "New"}}, "German"),
        ({**base, "slug": "neu", "colour": "#6d28d9", "stage": "mond"}, "stage"),
    ]
    for body, reason in cases:
        response = admin.post("/api/admin/categories", json=body)
        assert response.status_code == 422, body
        assert reason in response.text, (body, response.text)
    page = admin.post("/admin/categories/kita", data={
        "name_de": "Kita", "colour": "#ffff00", "icon": "category-kita", "stage": "fruehkindlich"})
    assert page.status_code == 422
    assert "contrast" in page.text and 'value="#ffff00"' in page.text
    assert admin.get("/api/admin/categories").json()[0]["colour"] == "#b45309"


def test_editors_are_refused_and_changes_need_the_csrf_token(logged_in):
    editor = logged_in(EDITOR)
    assert editor.get("/admin/categories").status_code == 403
    assert editor.get("/api/admin/categories").status_code == 403
    assert editor.patch("/api/admin/categories/kita", json={"colour": "#047857"}).status_code == 403
    assert "/admin/categories" not in editor.get("/admin/places").text
    admin = logged_in(ADMIN)
    del admin.headers["X-CSRF-Token"]
    assert admin.patch("/api/admin/categories/kita", json={"colour": "#047857"}).status_code == 403
    assert admin.post("/admin/categories/kita", data={"name_de": "x", "colour": "#047857",
                                                       "icon": "category-kita"}).status_code == 403
