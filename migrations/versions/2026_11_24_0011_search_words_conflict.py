"""The search lexicon's trigger relies on the primary key alone to skip known words.

Its ``NOT EXISTS`` pre-check let the planner look a word up through the trigram index instead of
the primary key while ``search_words`` had no statistics yet (a fresh database): a 10,000-row
import spent 11.7 s in it instead of 1.2 s. ``ON CONFLICT DO NOTHING`` probes the primary key
before it inserts anything, so the pre-check only added a plan that can go wrong.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION lernorte_search_words_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Sorted, so that two transactions adding the same new words wait for each other in the
  -- same order instead of deadlocking.
  INSERT INTO search_words (word)
  SELECT DISTINCT w FROM changed_places, unnest(string_to_array(search_text, ' ')) AS w
  WHERE length(w) >= 3
  ORDER BY w
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION lernorte_search_words_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_words (word)
  SELECT w FROM (SELECT DISTINCT w FROM changed_places,
                 unnest(string_to_array(search_text, ' ')) AS w WHERE length(w) >= 3) AS new_words
  WHERE NOT EXISTS (SELECT FROM search_words s WHERE s.word = new_words.w)
  ORDER BY w
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.execute(FUNCTION)


def downgrade() -> None:
    op.execute(PREVIOUS)
