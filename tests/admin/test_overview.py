"""The monitoring overview: published places per municipality and stage."""

from __future__ import annotations

import re

from tests.admin.conftest import EDITOR
from tests.conftest import sql


def test_overview_counts_published_places_per_municipality_and_stage(logged_in, pg, fresh_db):
    editor = logged_in(EDITOR)
    page = editor.get("/admin/overview").text
    expected = sql(pg, fresh_db, "SELECT municipality, count(*) FROM places "
                                 "WHERE status = 'published' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1")
    municipality, count = expected[0]
    row = re.search(rf'<tr><th scope="row">{municipality}</th>(.*?)</tr>', page).group(1)
    assert row.endswith(f"<td>{count}</td>")
    assert f"{count} Orte" in page  # the bar's text alternative
    total = sum(int(n) for n in re.findall(r"<td>(\d+)</td></tr>", page))
    assert total == 87
