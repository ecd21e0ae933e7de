"""A category's places by name: the same order whether they are collected and sorted or found
along the index of names (app.places.query._name_index_pays chooses by the category's size)."""

import pytest

from app.places import query


def _names_in_pages(client, params: dict, limit: int) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    while True:
        answer = client.get("/api/places", params={**params, "limit": limit,
                                                   "offset": len(found), "properties": "name"})
        assert answer.status_code == 200, answer.text
        page = [(f["properties"]["name"], f["id"]) for f in answer.json()["features"]]
        found += page
        if len(page) < limit:
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
