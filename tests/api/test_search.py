"""Search (q=) through the lexicon of words: typos, the order of many matches, edits, all faces."""

import re

import pytest

from app.places import query
from tests.conftest import sql

FULDA_DISTRICT = "9.40,50.30,10.15,50.85"


def features(client, **params) -> list[dict]:
    response = client.get("/api/places", params=params)
    assert response.status_code == 200, response.text
    return response.json()["features"]


def names(client, **params) -> list[str]:
    return [f["properties"]["name"] for f in features(client, **params)]


def test_a_misspelt_word_finds_the_place_through_a_similar_word(client):
    assert names(client, q="Grundshule Uttrichhausen") == ["Grundschule Uttrichshausen"]
    assert "Grundschule Wüstensachsen" in names(client, q="wustensachsen grundschule")


def test_few_matches_are_ranked_by_how_well_they_match(client):
    body = client.get("/api/places", params={"q": "Uttrichshausen"}).json()
    assert body["features"][0]["properties"]["name"] == "Grundschule Uttrichshausen"
    assert body["numberMatched"] == body["numberReturned"] >= 1


def test_more_matches_than_the_rank_limit_are_listed_by_name_on_stable_pages(make_client,
                                                                            demo_url):
    ranked = make_client(demo_url)
    by_name = make_client(demo_url, search_rank_limit=5)
    everything = names(ranked, q="schule", limit=1000)
    all_by_name = names(ranked, limit=1000)
    assert len(everything) > 20
    # Ranked, "Schule" as a word of its own comes before "Grundschule".
    assert everything != [n for n in all_by_name if n in set(everything)]
    first = by_name.get("/api/places", params={"q": "schule", "limit": 7}).json()
    assert first["numberMatched"] == len(everything)
    paged = []
    for offset in range(0, len(everything) + 7, 7):
        paged += names(by_name, q="schule", limit=7, offset=offset)
    # Every match exactly once, in the order of names that the list without a search has.
    assert sorted(paged) == sorted(everything)
    assert paged == [n for n in all_by_name if n in set(paged)]


def test_a_renamed_and_a_new_place_are_found_by_their_new_words_with_typos(pg, fresh_db,
                                                                          fresh_url, make_client):
    client = make_client(fresh_url)
    assert names(client, q="Zauberwaldschule") == []
    sql(pg, fresh_db, "UPDATE places SET name = 'Zauberwaldschule Kalbach' "
                      "WHERE name = 'Grundschule Uttrichshausen'")
    sql(pg, fresh_db, """
        INSERT INTO places (name, status, geom, city)
        VALUES ('Sternguckerhaus', 'published', ST_SetSRID(ST_MakePoint(9.7, 50.55), 4326), 'Fulda')
    """)
    assert names(client, q="Zauberwaldschule") == ["Zauberwaldschule Kalbach"]
    assert names(client, q="Zauberwaldschle") == ["Zauberwaldschule Kalbach"]  # a typo
    assert names(client, q="Sterngukerhaus") == ["Sternguckerhaus"]


def test_a_search_means_the_same_on_every_face(client):
    query = "grundschule hünfeld"
    api = client.get("/api/places", params={"q": query, "limit": 1000}).json()
    assert api["numberMatched"] == api["numberReturned"] > 0
    listed = client.get("/liste", params={"q": query}).text
    listed_names = re.findall(r'<h2 class="result-name"><a href="[^"]+">([^<]*)</a>', listed)
    assert listed_names == [f["properties"]["name"] for f in api["features"]]
    clusters = client.get("/api/clusters", params={"q": query, "bbox": FULDA_DISTRICT,
                                                   "zoom": 9}).json()
    assert clusters["numberMatched"] == api["numberMatched"]
    categories = client.get("/api/categories", params={"q": query}).json()
    assert categories["total"] == api["numberMatched"]


@pytest.mark.parametrize("word", ["am", "an", "uh", "rz", "xy"])
def test_a_two_letter_word_finds_every_text_that_holds_it(client, pg, demo_db, word):
    # Spelled out into the lexicon's words holding the pair and the pair as a word of its own
    # (so that the trigram index finds them), it must find what reading every text finds.
    holding = sql(pg, demo_db, "SELECT count(*) FROM search_words WHERE strpos(word, %s) > 0",
                  (word,))[0][0]
    assert holding <= query.SPELLED_OUT_WORDS  # spelled out, not read text by text
    expected = sorted(row[0] for row in sql(
        pg, demo_db, "SELECT id FROM places WHERE status = 'published' AND search_text LIKE %s",
        (f"%{word}%",)))
    found = sorted(f["id"] for f in features(client, q=word.upper(), limit=1000))
    assert found == expected
    if word == "am":  # a word of its own in "Schule am ..."
        assert expected


def test_a_rare_pair_of_letters_is_found_at_either_end_of_a_text_and_inside_words(
        pg, fresh_db, fresh_url, make_client):
    client = make_client(fresh_url)
    for name, description in [("Xy Lernwerkstatt", None), ("Haus Nord", "Treffpunkt xy"),
                              ("Haus xy Süd", None), ("Xylophonschule", None),
                              ("Musik-XY", None), ("Haus Ost", None)]:
        sql(pg, fresh_db, "INSERT INTO places (name, description, status, geom) VALUES "
                          "(%s, %s, 'published', ST_SetSRID(ST_MakePoint(9.7, 50.55), 4326))",
            (name, description))
    assert sorted(names(client, q="xy")) == ["Haus Nord", "Haus xy Süd", "Musik-XY",
                                             "Xy Lernwerkstatt", "Xylophonschule"]


def test_a_typo_of_a_common_word_matches_the_word_not_everything(client):
    # "Grundschle" is one letter from a word hundreds of texts contain; the lexicon turns it
    # into that word, so it finds the same places as the word itself.
    assert names(client, q="Grundschle", limit=1000) == names(client, q="Grundschule",
                                                             limit=1000)


def test_a_word_of_two_letters_narrows_the_search_alone_and_next_to_a_longer_word(client):
    # "am" is too short for the trigram index and is checked place by place; it must still
    # mean "contains these letters", alone and together with a word the index answers.
    everything = names(client, limit=1000)
    with_am = names(client, q="am", limit=1000)
    assert 0 < len(with_am) < len(everything)
    assert "Grundschule am Langenberg" in with_am
    assert "Grundschule Uttrichshausen" not in with_am
    assert sorted(names(client, q="am Rippberg")) == ["Grundschule am Rippberg Hattenhof"]
    assert sorted(names(client, q="Rippberg am")) == ["Grundschule am Rippberg Hattenhof"]
    assert names(client, q="xq Rippberg") == []
    # "C+" has no three letters in a row either, and its "+" is a letter of the text, not a
    # pattern: nothing in the demo data contains it.
    assert names(client, q="C+ Rippberg") == []
