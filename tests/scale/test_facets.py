"""The filter panel's counts under a language, a municipality or a radius come from the
aggregates' members, and say what counting the places one by one says."""

import pytest

from app.places import query

FILTERS = [
    {"language": "en"},
    {"language": ["en", "tr"], "target_group": "kinder"},
    {"language": "tr", "category": "kita"},
    {"language": "en", "target_group": ["senioren", "kinder"], "category": "schule"},
    # Members in a box around the point, tested on their coordinates.
    {"near": "9.68,50.55", "radius": "8000"},
    {"near": "9.68,50.55", "radius": "40000", "language": "en"},
    {"near": "9.68,50.55", "radius": "20000", "target_group": "kinder"},
    # The tree and both facets from one grouping of the members within the radius, each
    # under its own part of the filter.
    {"near": "9.68,50.55", "radius": "30000", "category": "kita", "language": "tr"},
    {"near": "9.68,50.55", "radius": "40000", "category": ["schule", "grundschule"],
     "target_group": ["kinder", "jugendliche"], "language": ["en", "tr"]},
    # Municipalities on the members: with a language, and within a radius (by a folded name
    # and by an AGS).
    {"language": "en", "municipality": "Berlin"},
    {"municipality": "Berlin", "target_group": "kinder"},
    {"municipality": ["06631", "Kassel"], "category": "schule"},
    {"near": "9.68,50.55", "radius": "30000", "municipality": ["Kuenzell", "06631009"]},
]


@pytest.mark.parametrize("params", FILTERS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_counts_from_the_members_equal_counting_every_place(make_client, scale_url, params):
    from_members = make_client(scale_url).get("/api/categories", params=params)
    live = make_client(scale_url, cluster_aggregates=False).get("/api/categories", params=params)
    assert from_members.status_code == live.status_code == 200, from_members.text
    counted = from_members.json()
    assert counted == live.json()
    # Counts, not nulls: a scale test's places are few enough to count.
    assert counted["total"] > 0 and counted["languages"] and counted["target_groups"]
    places = make_client(scale_url).get("/api/places", params={
        # A page that reaches far enough for a radius to be counted exactly.
        **{k: v for k, v in params.items() if k != "category"}, "limit": 1000}).json()
    assert counted["total"] == places["numberMatched"]


def test_a_radius_beyond_the_counting_limit_is_counted_as_without_members(make_client, scale_url):
    """More places around the radius than the filter panel may count: the members are not
    grouped, and each count decides for itself as when counting place by place."""
    params = {"near": "9.68,50.55", "radius": "40000", "target_group": "kinder"}
    within = make_client(scale_url).get("/api/places", params={**params, "limit": 1000}).json()
    limit = within["numberMatched"] + 1  # the circle fits; the cells around it hold more
    from_members = make_client(scale_url, facet_max_places=limit).get("/api/categories", params=params)
    live = make_client(scale_url, cluster_aggregates=False, facet_max_places=limit).get(
        "/api/categories", params=params)
    assert from_members.status_code == live.status_code == 200
    assert from_members.json() == live.json()
    assert from_members.json()["total"] == within["numberMatched"]


SEARCHES = [
    {"q": "Kita Berlin", "municipality": "Berlin"},  # every word must match
    {"q": "am", "municipality": "06631", "category": "kita"},  # two letters
    {"q": "Schule", "language": "en"},
    {"q": "Bibliotek", "near": "9.68,50.55", "radius": "100000"},  # a typo: similar words
]


@pytest.mark.parametrize("params", SEARCHES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_a_search_counts_the_same_on_the_members_as_on_the_places(make_client, scale_url,
                                                                  monkeypatch, params):
    """Beside a language, a municipality or a radius, a search is tested on the members' own
    text or on the places, whichever costs less: both count what counting every place counts."""
    live = make_client(scale_url, cluster_aggregates=False).get("/api/categories", params=params)
    assert live.status_code == 200, live.text
    assert live.json()["total"] > 0
    for members_per_match in (0, 10**9):  # never, always on the members
        monkeypatch.setattr(query, "MEMBERS_PER_MATCH", members_per_match)
        counted = make_client(scale_url).get("/api/categories", params=params)
        assert counted.status_code == 200, counted.text
        assert counted.json() == live.json()


def test_a_search_on_the_members_leaves_out_the_counts_beyond_the_limit_as_without(
        make_client, scale_url, monkeypatch):
    """Counted from one grouping of the members, each count still says null where its own
    filter matches more places than the panel may count, as counting place by place does."""
    params = {"q": "Kita", "municipality": "Berlin", "language": "en"}
    within = make_client(scale_url, cluster_aggregates=False).get("/api/categories",
                                                                 params=params).json()
    limit = within["total"]  # the tree's places fit; the languages' facet counts more
    live = make_client(scale_url, cluster_aggregates=False, facet_max_places=limit).get(
        "/api/categories", params=params).json()
    assert live["total"] == limit and live["target_groups"] and live["languages"] is None
    monkeypatch.setattr(query, "MEMBERS_PER_MATCH", 10**9)
    counted = make_client(scale_url, facet_max_places=limit).get("/api/categories", params=params)
    assert counted.status_code == 200, counted.text
    assert counted.json() == live
