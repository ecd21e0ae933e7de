"""A large import validates and reports exactly like a small one."""

import re

from bench.generate import write_csv
from tests.conftest import lernorte, sql

HEADER = "source,source_id,name,categories,lon,lat,email"
# Three rows that are fine and three that are not, each for a different reason.
MIXED_ROWS = [
    "test,a1,Kita Lindenhof,kita,9.68,50.55,",
    "test,a2,Stadtbücherei,gibtsnicht,9.68,50.55,",
    "test,a3,Grundschule Nord,grundschule,9.68,200,",
    "test,a4,Museum am Markt,museum,9.69,50.56,info(at)museum",
    "test,a5,Musikschule,musikschule,9.70,50.57,",
    "test,a1,Kita Lindenhof again,kita,9.68,50.55,",
]
LARGE = 5000


def _errors(stdout: str) -> list[tuple[int, str]]:
    return [(int(n), reason) for n, reason in re.findall(r"^  row (\d+): (.*)$", stdout, re.MULTILINE)]


def test_a_large_import_reports_the_same_errors_as_a_small_one(pg, tmp_path, fresh_url,
                                                                 empty_url):
    small = tmp_path / "small.csv"
    small.write_text("\n".join([HEADER, *MIXED_ROWS]) + "\n", encoding="utf-8")
    small_result = lernorte(fresh_url, "import", str(small))
    assert small_result.returncode == 0, small_result.stderr
    small_errors = _errors(small_result.stdout)
    assert [n for n, _ in small_errors] == [3, 4, 5, 7]

    large = tmp_path / "large.csv"
    write_csv(str(large), LARGE, seed=3)
    lines = large.read_text(encoding="utf-8").splitlines()
    columns = lines[0].split(",")
    padded = [",".join(dict(zip(HEADER.split(","), row.split(","))).get(c, "") for c in columns)
              for row in MIXED_ROWS]
    large.write_text("\n".join([*lines, *padded]) + "\n", encoding="utf-8")
    large_result = lernorte(empty_url, "import", str(large))
    assert large_result.returncode == 0, large_result.stderr
    # Row numbers, also inside a reason ("the same id as row 2"), count in the large file.
    shifted = [(n + LARGE, re.sub(r"row (\d+)", lambda m: f"row {int(m[1]) + LARGE}", reason))
               for n, reason in small_errors]
    assert _errors(large_result.stdout) == shifted
    assert f"{LARGE + 2} places were created" in large_result.stdout
    db = empty_url.rsplit("/", 1)[1]
    # The aggregates were brought up to date by the import too.
    assert sql(pg, db, "SELECT sum(n) FROM cluster_cells WHERE z = 0")[0][0] == \
        sql(pg, db, "SELECT count(*) FROM places WHERE status = 'published'")[0][0]
