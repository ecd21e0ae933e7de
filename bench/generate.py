"""Synthetic learning places at national scale, loaded through the project's own tables.

    python -m bench.generate                 # 1,000,000 places into the project's database
    python -m bench.generate -n 5000 --seed 7
    python -m bench.generate --remove        # delete every synthetic place again
    python -m bench.generate -n 100000 --csv places.csv   # a file for `lernorte import` instead

Places cluster around ~100 real German town centres (weighted by population, denser in the
centre) with a rural share spread wider around them; categories follow the rough national mix
(Kitas far outnumber universities). Every generated place has ``source = 'synthetic'``, so it is
removed in one statement. Rows go in with COPY into a staging table and two set-based inserts
per chunk (places, then place_categories), so the cluster aggregates refresh once per chunk.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
import time
from collections.abc import Iterator

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.cluster import database_url
from app.config import get_settings
from app.db import make_engine
from app.importing.export import to_csv
from bench.towns import TOWNS

SOURCE = "synthetic"
GERMANY = (5.87, 47.27, 15.04, 55.06)

# (category slug, share, name patterns); {x} a name, {t} the town, {d} a district, {s} a surname.
CATEGORIES: list[tuple[str, float, tuple[str, ...]]] = [
    ("kita", 34, ("Kita {x}", "Kindertagesstätte {x}", "Ev. Kita {x}", "Kath. Kita St. {saint}",
                  "AWO-Kita {x}", "Kinderhaus {x}")),
    ("kindertagespflege", 8, ("Kindertagespflege {s}", "Tagespflege Kleine {x}")),
    ("familienzentrum", 3, ("Familienzentrum {t}-{d}", "Familienzentrum {x}")),
    ("grundschule", 10, ("{person}-Grundschule", "Grundschule {d}", "Grundschule am {place}")),
    ("weiterfuehrende-schule", 7, ("{person}-Gymnasium", "{person}-Realschule",
                                   "Gesamtschule {t}-{d}", "Oberschule {d}")),
    ("foerderschule", 2, ("{person}-Schule (Förderschule)", "Förderzentrum {d}")),
    ("berufliche-schule", 2, ("Berufliche Schulen {t} {d}", "Berufskolleg {person}")),
    ("berufsorientierung", 2, ("Jugendberufsagentur {t} {d}", "Berufsberatung {t}-{d}")),
    ("ausbildung", 1, ("Überbetriebliches Ausbildungszentrum {t}", "Bildungszentrum der Handwerkskammer {t}")),
    ("hochschule", 0.5, ("Hochschule {t} Campus {d}", "Universität {t} Institut {n}")),
    ("volkshochschule", 1, ("Volkshochschule {t} Außenstelle {d}", "VHS {t}-{d}")),
    ("weiterbildungstraeger", 5, ("Bildungswerk {s}", "Akademie {x}", "{s} Weiterbildung GmbH")),
    ("sprachkurs", 3, ("Sprachschule {x}", "Integrationskurse {t}-{d}", "Deutschkurse {s}")),
    ("bibliothek", 6, ("Stadtbibliothek {t} Zweigstelle {d}", "Gemeindebücherei {d}",
                       "Bibliothek {person}")),
    ("museum", 4, ("Museum {d}", "Heimatmuseum {d}", "{person}-Haus", "Naturkundemuseum {t}")),
    ("musikschule", 2, ("Musikschule {t}-{d}", "Musikschule {x}")),
    ("jugendzentrum", 4, ("Jugendzentrum {d}", "Jugendhaus {x}", "Offene Jugendarbeit {d}")),
    ("umweltbildung", 1.5, ("Umweltbildungszentrum {d}", "Naturschutzstation {d}",
                            "Waldschule {d}")),
    ("bildungsberatung", 1.5, ("Bildungsberatung {t}-{d}", "Weiterbildungsberatung {s}")),
    ("migrationsberatung", 1.5, ("Migrationsberatung {t}-{d}", "Jugendmigrationsdienst {t}")),
]
WORDS = ("Sonnenschein", "Regenbogen", "Pusteblume", "Sternschnuppe", "Löwenzahn", "Kunterbunt",
         "Wirbelwind", "Spatzennest", "Zwergenland", "Arche Noah", "Sonnenblume", "Schatzkiste",
         "Bärenhöhle", "Wolkenschloss", "Abenteuerland", "Lindenhof", "Waldwichtel", "Pfiffikus",
         "Glühwürmchen", "Marienkäfer", "Zauberwald", "Kleeblatt", "Morgenstern", "Mühlbach")
PERSONS = ("Astrid-Lindgren", "Erich-Kästner", "Pestalozzi", "Brüder-Grimm", "Goethe", "Schiller",
           "Anne-Frank", "Geschwister-Scholl", "Albert-Schweitzer", "Friedrich-Fröbel",
           "Maria-Montessori", "Heinrich-Heine", "Sophie-Scholl", "Lessing", "Humboldt",
           "Käthe-Kollwitz", "Marie-Curie", "Otfried-Preußler", "Janusz-Korczak", "Hildegard-von-Bingen")
SAINTS = ("Martin", "Elisabeth", "Josef", "Maria", "Bonifatius", "Michael", "Franziskus", "Anna")
SURNAMES = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
            "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
            "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann",
            "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann", "Öztürk", "Yılmaz")
DISTRICTS = ("Nord", "Süd", "Ost", "West", "Mitte", "Altstadt", "Neustadt", "Innenstadt",
             "Bahnhofsviertel", "Oststadt", "Weststadt", "Südstadt", "Nordstadt", "Hochfeld",
             "Am Wasserturm", "Lindenau", "Gartenstadt", "Kirchberg", "Sonnenhügel", "Auenviertel")
PLACES = ("Markt", "Lindenplatz", "Schlossberg", "Stadtpark", "Wall", "Mühlenteich", "Rosengarten")
STREETS = ("Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße", "Dorfstraße",
           "Bergstraße", "Birkenweg", "Lindenstraße", "Kirchstraße", "Waldstraße", "Ringstraße",
           "Schillerstraße", "Goethestraße", "Mühlenweg", "Am Sportplatz", "Wiesenweg",
           "Friedhofstraße", "Jahnstraße", "Rosenstraße", "Fliederweg", "Mozartstraße",
           "Feldstraße", "Am Anger", "Talstraße", "Tulpenweg", "Kastanienallee")
KINDS = ("public", "public", "public", "church", "private", "association")
GROUPS = {"kita": ("kinder", "familien"), "kindertagespflege": ("kinder", "familien"),
          "familienzentrum": ("familien", "kinder"), "grundschule": ("kinder",),
          "weiterfuehrende-schule": ("jugendliche",),
          "foerderschule": ("kinder", "jugendliche", "menschen-mit-behinderung"),
          "berufliche-schule": ("jugendliche", "erwachsene"),
          "berufsorientierung": ("jugendliche",), "ausbildung": ("jugendliche",),
          "hochschule": ("erwachsene",), "volkshochschule": ("erwachsene", "senioren"),
          "weiterbildungstraeger": ("erwachsene",), "sprachkurs": ("erwachsene", "neuzugewanderte"),
          "bibliothek": ("kinder", "erwachsene", "senioren"), "museum": ("familien", "senioren"),
          "musikschule": ("kinder", "jugendliche"), "jugendzentrum": ("jugendliche",),
          "umweltbildung": ("kinder", "familien"), "bildungsberatung": ("erwachsene",),
          "migrationsberatung": ("neuzugewanderte", "erwachsene")}
EXTRA_LANGUAGES = ("en", "tr", "ar", "uk", "ru", "pl", "fr")
HOURS = ("Mo-Fr 07:00-17:00", "Mo-Fr 08:00-16:00", "Mo-Fr 07:30-16:30; Sa 09:00-12:00",
         "Tu-Fr 10:00-18:00; Sa 10:00-14:00", "Mo-Th 09:00-19:00; Fr 09:00-14:00", None)

STAGING = """
CREATE TEMP TABLE synthetic_rows (
    n integer, name text, description text, street text, postcode text, city text,
    municipality text, ags text, phone text, email text, website text, provider text,
    provider_kind text, target_groups text[], languages text[], wheelchair text,
    opening_hours text, status text, lon float8, lat float8, category_ids integer[]
) ON COMMIT DROP
"""
COLUMNS = ("n", "name", "description", "street", "postcode", "city", "municipality", "ags",
           "phone", "email", "website", "provider", "provider_kind", "target_groups", "languages",
           "wheelchair", "opening_hours", "status", "lon", "lat", "category_ids")
COPIED = COLUMNS[1:18]
INSERT = f"""
WITH inserted AS (
    INSERT INTO places ({", ".join(COPIED)}, geom, source, source_id)
    SELECT {", ".join(COPIED)},
           CASE WHEN lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END,
           '{SOURCE}', 'syn-' || n
    FROM synthetic_rows
    RETURNING id, source_id
)
INSERT INTO place_categories (place_id, category_id, position)
SELECT i.id, c.id, c.pos - 1
FROM inserted i JOIN synthetic_rows r ON 'syn-' || r.n = i.source_id,
     unnest(r.category_ids) WITH ORDINALITY AS c(id, pos)
"""


class Generator:
    """Deterministic for a seed: the same seed gives the same places."""

    def __init__(self, seed: int, category_ids: dict[str, int]) -> None:
        self.rng = random.Random(seed)
        self.category_ids = category_ids
        self.slugs = [c[0] for c in CATEGORIES]
        self.shares = [c[1] for c in CATEGORIES]
        self.patterns = {c[0]: c[2] for c in CATEGORIES}
        self.weights = [t[3] for t in TOWNS]

    def _location(self, town: tuple) -> tuple[float, float]:
        _, lon, lat, population, _, _ = town
        rng = self.rng
        # Dense centres; a quarter of the places in the countryside around the town.
        sigma_km = 1.2 * math.sqrt(population / 100) + 1 if rng.random() < 0.75 else 22.0
        lat2 = lat + rng.gauss(0, sigma_km) / 111.2
        lon2 = lon + rng.gauss(0, sigma_km) / (111.2 * math.cos(math.radians(lat)))
        return (min(max(lon2, GERMANY[0]), GERMANY[2]), min(max(lat2, GERMANY[1]), GERMANY[3]))

    def _name(self, slug: str, town: str, district: str) -> str:
        rng = self.rng
        return rng.choice(self.patterns[slug]).format(
            x=rng.choice(WORDS), t=town, d=district, s=rng.choice(SURNAMES),
            person=rng.choice(PERSONS), saint=rng.choice(SAINTS), place=rng.choice(PLACES),
            n=rng.randint(1, 40))

    def row(self, n: int) -> tuple:
        rng = self.rng
        town = rng.choices(TOWNS, weights=self.weights)[0]
        name_of_town, _, _, _, postcode, ags = town
        slug = rng.choices(self.slugs, weights=self.shares)[0]
        slugs = [slug]
        if rng.random() < 0.08:  # a few places are two things at once (Grund- und Hauptschule)
            other = rng.choices(self.slugs, weights=self.shares)[0]
            if other != slug:
                slugs.append(other)
        district = rng.choice(DISTRICTS)
        lon, lat = self._location(town)
        roll = rng.random()
        status = "published" if roll < 0.96 else "draft" if roll < 0.985 else "archived"
        if status == "draft" and rng.random() < 0.5:
            lon = lat = None  # a draft that still needs its location
        languages = ["de"] + ([rng.choice(EXTRA_LANGUAGES)] if rng.random() < 0.25 else [])
        code = f"{int(postcode) + rng.randint(0, 80):05d}"
        handle = f"ort{n}"
        return (
            n, self._name(slug, name_of_town, district),
            f"Synthetischer Lernort in {name_of_town}-{district} für Lasttests.",
            f"{rng.choice(STREETS)} {rng.randint(1, 180)}", code, name_of_town, name_of_town, ags,
            f"+49 {rng.randint(30, 9999)} {rng.randint(10000, 9999999)}",
            f"{handle}@example.org", f"https://example.org/{handle}",
            f"Träger {rng.choice(SURNAMES)} e. V.", rng.choice(KINDS),
            list(GROUPS[slug]), languages, rng.choice(("yes", "limited", "no", "unknown")),
            rng.choice(HOURS), status, lon, lat, [self.category_ids[s] for s in slugs],
        )

    def rows(self, start: int, count: int) -> Iterator[tuple]:
        for n in range(start, start + count):
            yield self.row(n)


async def _next_number(conn: AsyncConnection) -> int:
    return (await conn.execute(text(
        "SELECT coalesce(max(substr(source_id, 5)::integer), 0) + 1 FROM places "
        "WHERE source = :source"), {"source": SOURCE})).scalar_one()


async def generate(url: str, count: int, seed: int = 1, chunk: int = 50_000,
                   quiet: bool = False) -> int:
    """Add ``count`` synthetic places; returns the number added."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            category_ids = dict((await conn.execute(text("SELECT slug, id FROM categories"))).all())
            start = await _next_number(conn)
        gen = Generator(seed + start, category_ids)
        done = 0
        began = time.monotonic()
        while done < count:
            size = min(chunk, count - done)
            records = list(gen.rows(start + done, size))
            async with engine.begin() as conn:
                # Trigram index entries go through GIN's pending list in big batches.
                await conn.execute(text("SET LOCAL gin_pending_list_limit = '64MB'"))
                await conn.execute(text(STAGING))
                raw = (await conn.get_raw_connection()).driver_connection
                await raw.copy_records_to_table("synthetic_rows", records=records, columns=COLUMNS)
                await conn.execute(text(INSERT))
            done += size
            if not quiet:
                print(f"{done:>9,} places  {time.monotonic() - began:6.1f} s", file=sys.stderr)
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE places"))
            await conn.execute(text("ANALYZE place_categories"))
        return done
    finally:
        await engine.dispose()


def write_csv(path: str, count: int, seed: int = 1) -> None:
    """The same places as a CSV in Lernorte's own format, for measuring `lernorte import`."""
    gen = Generator(seed, {slug: slug for slug, _, _ in CATEGORIES})
    places = []
    for row in gen.rows(1, count):
        place = dict(zip(COLUMNS, row))
        place.update(source=SOURCE, source_id=f"syn-{place.pop('n')}",
                     categories=place.pop("category_ids"))
        places.append(place)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(to_csv(places))


async def remove(url: str) -> int:
    """Delete every synthetic place (their categories and history go with them)."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text("DELETE FROM places WHERE source = :source"),
                                        {"source": SOURCE})
            return result.rowcount
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=50_000, help="places per transaction")
    parser.add_argument("--remove", action="store_true", help="delete all synthetic places")
    parser.add_argument("--database-url", help="default: DATABASE_URL or the private cluster")
    parser.add_argument("--csv", metavar="FILE", help="write the places to a CSV file instead")
    args = parser.parse_args(argv)
    if args.csv:
        write_csv(args.csv, args.count, args.seed)
        print(f"{args.count} synthetic places written to {args.csv}")
        return 0
    settings = get_settings()
    url, _ = database_url(args.database_url or settings.database_url, settings.data_dir)
    began = time.monotonic()
    if args.remove:
        n = asyncio.run(remove(url))
        print(f"{n} synthetic places removed in {time.monotonic() - began:.1f} s")
    else:
        n = asyncio.run(generate(url, args.count, args.seed, args.chunk))
        print(f"{n} synthetic places added in {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
