"""The search lexicon: every distinct word of the places' search texts.

A misspelt query word is matched against this small table (thousands of words, whatever the
number of places) instead of against every place's text: the similar words it finds become
plain substring patterns on places, which the trigram index answers exactly. Fuzzy matching on
places themselves (``word <% search_text``) made the index hand back every place that shares
trigrams with a common word (a typo of "Kita": 228,000 rows rechecked, 12 s at a million).

Kept current by statement-level triggers on places (new words only; words of deleted or renamed
places stay and simply match nothing more). The triggers are ENABLE ALWAYS, so they also fire
while the bulk import runs with session_replication_role = replica.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Words of one or two characters are left out: a typo of them is no typo worth correcting, and
# the query word itself is always matched as a substring. string_to_array on the folded text
# (lernorte_fold turns punctuation into spaces) is several times cheaper than a regexp split.
WORDS_OF = """
SELECT DISTINCT w FROM {source}, unnest(string_to_array(search_text, ' ')) AS w
WHERE length(w) >= 3
"""

UPGRADE = [
    "CREATE TABLE search_words (word text PRIMARY KEY)",
    f"INSERT INTO search_words (word) {WORDS_OF.format(source='places')}",
    "CREATE INDEX ix_search_words_word ON search_words USING gin (word gin_trgm_ops)",
    f"""
CREATE FUNCTION lernorte_search_words_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Sorted, so that two transactions adding the same new words wait for each other in the
  -- same order instead of deadlocking.
  INSERT INTO search_words (word)
  SELECT w FROM ({WORDS_OF.format(source="changed_places")}) AS new_words
  WHERE NOT EXISTS (SELECT FROM search_words s WHERE s.word = new_words.w)
  ORDER BY w
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$""",
    *(f"""CREATE TRIGGER places_search_words_{event} AFTER {event.upper()} ON places
  REFERENCING NEW TABLE AS changed_places
  FOR EACH STATEMENT EXECUTE FUNCTION lernorte_search_words_add()""" for event in ("insert", "update")),
    "ALTER TABLE places ENABLE ALWAYS TRIGGER places_search_words_insert",
    "ALTER TABLE places ENABLE ALWAYS TRIGGER places_search_words_update",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER places_search_words_update ON places")
    op.execute("DROP TRIGGER places_search_words_insert ON places")
    op.execute("DROP FUNCTION lernorte_search_words_add()")
    op.execute("DROP TABLE search_words")
