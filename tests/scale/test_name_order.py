"""Places by name: the same order whether they are collected and sorted or found along the index
of names (a category: app.places.query._name_index_pays chooses by its size; a search too common
to rank: app.places.query._walked_page tries the first names before sorting all matches; an
audience filter: app.places.query._named_page tests the names along the index)."""

import pytest

from app.places import query
from tests.conftest import sql


def _names_in_pages(client, params: dict, limit: int, pages: int = 10**6
                    ) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for _ in range(pages):
        answer = client.get("/api/places", params={**params, "limit": limit,
                                                   "offset": len(found), "properties": "name"})
        assert answer.status_code == 200, answer.text
        page = [(f["properties"]["name"], f["id"]) for f in answer.json()["features"]]
        found += page
        if len(page) < limit:
            break
    return found


@pytest.mark.parametrize("params", [{"category": "kita"}, {"category": ["hochschule", "museum"]},
                                    {"category": "musikschule", "target_group": "kinder"}],
                         ids=["kita", "two categories", "with a target group"])
def test_collected_and_walked_category_pages_agree(make_client, scale_url, monkeypatch, params):
    client = make_client(scale_url)
    orders = {}
    for walk_from in (0, 10**9):  # always walk the index; never
        monkeypatch.setattr(query, "NAME_WALK_MIN_PLACES", walk_from)
        orders[walk_from] = _names_in_pages(client, params, limit=7)
    assert orders[0] == orders[10**9]
    assert len(orders[0]) > 7 and len(set(orders[0])) == len(orders[0])
    # Pages of 7 and one page of all give the same sequence: the order is total.
    everything = client.get("/api/places", params={**params, "limit": 5000,
                                                   "properties": "name"}).json()
    assert [(f["properties"]["name"], f["id"]) for f in everything["features"]] == orders[0]


@pytest.mark.parametrize("params", [{"q": "Kita"}, {"q": "straße"},
                                    {"q": "straße", "category": "schule"}],
                         ids=["common word", "word of addresses", "with a category"])
def test_a_common_words_pages_are_the_same_found_among_the_first_names_or_sorted(
        make_client, scale_url, monkeypatch, params):
    client = make_client(scale_url, search_rank_limit=50)  # too many matches to rank
    orders = {}
    # Names walked first: enough for every page; a few, so that most pages are sorted after a
    # walk that found part of them; none.
    for walk in (10**6, 200, 0):
        monkeypatch.setattr(query, "SEARCH_WALK_PLACES", walk)
        orders[walk] = _names_in_pages(client, params, limit=7, pages=20)
    assert orders[10**6] == orders[200] == orders[0]
    assert len(orders[0]) > 50 and len(set(orders[0])) == len(orders[0])
    # The same places as one page of them all (sorted, never walked: too deep for a walk).
    everything = client.get("/api/places", params={**params, "limit": 5000,
                                                   "properties": "name"}).json()
    assert [(f["properties"]["name"], f["id"])
            for f in everything["features"]][:len(orders[0])] == orders[0]


@pytest.mark.parametrize("params, where", [
    ({"target_group": "senioren"}, "'senioren' = ANY(target_groups)"),
    ({"language": "tr"}, "'tr' = ANY(languages)"),
    ({"target_group": ["kinder", "jugendliche"], "language": "en"},
     "target_groups && '{kinder,jugendliche}' AND 'en' = ANY(languages)"),
], ids=["target group", "language", "both"])
def test_pages_by_name_under_an_audience_filter_hold_every_match_in_order(
        make_client, pg, fresh_db, scale_url, params, where):
    # The page's names are found along the index of names, which carries target groups and
    # languages; the table is read for the page's places only.
    client = make_client(scale_url)
    expected = sorted(sql(pg, fresh_db, f"SELECT name, id FROM places "
                                        f"WHERE status = 'published' AND {where}"))
    assert len(expected) > 20
    assert _names_in_pages(client, params, limit=7) == expected
    # A page deep in the list is the same slice.
    deep = client.get("/api/places", params={**params, "limit": 5, "offset": len(expected) - 8,
                                             "properties": "name"}).json()
    assert [(f["properties"]["name"], f["id"]) for f in deep["features"]] == expected[-8:-3]
