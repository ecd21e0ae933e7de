"""The gazetteer built from places' addresses: entries, centroids, boxes and ranked search."""

from __future__ import annotations

import pytest

from geo.gazetteer import MIN_HALF_SIZE_DEG, AddressGroup, build

POINTS = [
    AddressGroup.point("36037", "Fulda", "Fulda", 9.670, 50.550),
    AddressGroup.point("36037", "Fulda", "Fulda", 9.680, 50.560),
    AddressGroup.point("36039", "Fulda", "Fulda", 9.700, 50.570),
    AddressGroup.point("36088", "Hünfeld", "Hünfeld", 9.770, 50.670),
    AddressGroup.point("36088", "Mackenzell", "Hünfeld", 9.800, 50.650),
    AddressGroup.point("36093", "Künzell", "Künzell", 9.710, 50.540),
    AddressGroup.point("36129", "Gersfeld/Rhön", "Gersfeld (Rhön)", 9.910, 50.450),
    AddressGroup.point("36100", "Petersberg", "Petersberg", 9.720, 50.560),
    AddressGroup.point("36115", "Wüstensachsen", "Ehrenberg (Rhön)", 9.990, 50.500),
]
GAZETTEER = build(POINTS)


def labels(query: str, limit: int = 8) -> list[str]:
    return [e.label for e in GAZETTEER.search(query, limit)]


def test_postcode_entry_has_centroid_box_and_town():
    [entry] = GAZETTEER.search("36037")
    assert (entry.label, entry.kind) == ("36037 Fulda", "postcode")
    assert entry.lon == pytest.approx(9.675) and entry.lat == pytest.approx(50.555)
    assert entry.bbox == pytest.approx((9.670, 50.550, 9.680, 50.560))
    assert entry.count == 2


def test_postcode_prefix_lists_exact_first_then_by_size():
    assert labels("3603") == ["36037 Fulda", "36039 Fulda"]
    assert labels("36039") == ["36039 Fulda"]
    assert labels("360", limit=2) == ["36037 Fulda", "36088 Hünfeld"]
    assert labels("36037 Fulda") == ["36037 Fulda"]
    assert labels("99999") == []


def test_a_postcode_is_named_after_its_most_common_town():
    assert labels("36088") == ["36088 Hünfeld"] or labels("36088") == ["36088 Mackenzell"]
    more = build(POINTS + [AddressGroup.point("36088", "Hünfeld", "Hünfeld", 9.77, 50.68)])
    assert [e.label for e in more.search("36088")] == ["36088 Hünfeld"]


@pytest.mark.parametrize("query", ["Hünfeld", "huenfeld", "HÜNFELD", " hünfeld ", "Hunfeld"])
def test_town_names_fold_umlauts_and_forgive_typos(query):
    assert labels(query)[0] == "Hünfeld"


def test_prefix_finds_the_town_and_exact_beats_prefix():
    assert labels("Fuld") == ["Fulda"]
    assert labels("Fulda")[0] == "Fulda"
    assert labels("Gersfeld") == ["Gersfeld/Rhön"]
    assert labels("rhoen") == ["Ehrenberg (Rhön)", "Gersfeld/Rhön"]  # a word of the name


def test_a_single_address_gets_a_usable_box_and_towns_their_extent():
    [entry] = GAZETTEER.search("Künzell")
    w, s, e, n = entry.bbox
    assert e - w == pytest.approx(2 * MIN_HALF_SIZE_DEG) and n - s == pytest.approx(
        2 * MIN_HALF_SIZE_DEG)
    assert (w + e) / 2 == pytest.approx(9.71) and (s + n) / 2 == pytest.approx(50.54)
    [fulda] = [x for x in GAZETTEER.search("Fulda") if x.label == "Fulda"]
    assert fulda.bbox == pytest.approx((9.670, 50.550, 9.700, 50.570))
    assert fulda.count == 3


def test_municipality_entries_only_where_no_town_has_that_name():
    kinds = {(e.label, e.kind) for e in GAZETTEER.entries if e.kind != "postcode"}
    assert ("Hünfeld", "town") in kinds and ("Hünfeld", "municipality") not in kinds
    assert ("Gersfeld (Rhön)", "municipality") not in kinds  # the same name as the town
    assert ("Ehrenberg (Rhön)", "municipality") in kinds
    assert ("Mackenzell", "town") in kinds


def test_unrelated_words_find_nothing():
    assert labels("Berlin") == []
    assert labels("xyz") == []
    assert labels("   ") == []


def test_limit_and_as_dict():
    assert len(GAZETTEER.search("3", limit=3)) == 3
    result = GAZETTEER.search("36037")[0].as_dict()
    assert result == {"label": "36037 Fulda", "kind": "postcode", "lon": 9.675, "lat": 50.555,
                      "bbox": [9.67, 50.55, 9.68, 50.56]}


def test_empty_input_builds_an_empty_gazetteer():
    assert build([]).search("Fulda") == []
    assert build([AddressGroup.point(None, None, None, 9.6, 50.5)]).entries == []
