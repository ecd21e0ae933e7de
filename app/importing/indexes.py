"""The first load of a directory: its read indexes built once at the end of the import.

Kept up to date row by row, the indexes that only reads use (the trigram index of the search,
the two spatial ones, the audience and name indexes) cost the import of 100,000 rows into an
empty database about half of its database time: the trigram index alone 5.2 s, against 3.4 s
when built in one go. So, as pg_restore does, an import into a table with at most
``FIRST_LOAD_MAX_PLACES`` places drops them and builds them again before its commit, in the
same transaction: a failed or dry run rolls back to the very same indexes.

Dropping an index locks the table until the commit, so readers wait for the import to finish.
That is why only a (nearly) empty directory is loaded this way, where there is nothing to read
yet; a directory in use keeps its indexes and its readers. Unique indexes stay: the import
itself looks places up by them.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

FIRST_LOAD_MAX_PLACES = 1_000
READ_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid IN ('places'::regclass, 'place_categories'::regclass)
  AND NOT i.indisunique AND NOT i.indisprimary
ORDER BY 1
"""


async def defer_read_indexes(conn: AsyncConnection) -> list[str]:
    """Drop the read indexes when this is a first load; the statements that build them again."""
    existing = (await conn.execute(text("SELECT count(*) FROM (SELECT FROM places LIMIT :n) s"),
                                   {"n": FIRST_LOAD_MAX_PLACES + 1})).scalar_one()
    if existing > FIRST_LOAD_MAX_PLACES:
        return []
    indexes = (await conn.execute(text(READ_INDEXES))).all()
    for name, _ in indexes:
        await conn.execute(text(f"DROP INDEX {name}"))  # regclass text: quoted where needed
    return [definition for _, definition in indexes]


async def build_indexes(conn: AsyncConnection, definitions: list[str]) -> None:
    if not definitions:
        return
    # Room to sort in memory: the GIN and GiST builds of 100,000 places fit.
    await conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for definition in definitions:
        await conn.execute(text(definition))
