"""Typed settings, read from the environment (prefix ``LERNORTE_``; ``DATABASE_URL`` as is)."""

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.security import check_origins

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"
WEAK_SECRETS = frozenset({"", DEVELOPMENT_SECRET, "changethis", "changeme", "secret", "CHANGE_ME"})
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LERNORTE_", extra="ignore")

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "LERNORTE_DATABASE_URL")
    )
    # Where the private PostgreSQL cluster lives when no DATABASE_URL is given.
    data_dir: Path = PROJECT_ROOT / ".data"
    environment: str = "development"

    # Paging of /api/places: a district fits in one page, a nation does not.
    default_limit: int = 100
    max_limit: int = 10000
    # numberMatched is counted at most this far, and no further than the page's share
    # (places.query._count_cap); beyond it is left out (OGC API allows it).
    max_exact_count: int = 10000
    # Search (q=): up to this many matches are ranked by how well they match; more are listed by
    # name (ranking costs ~30 µs per match, a common word at a million places has 200,000).
    search_rank_limit: int = Field(default=2000, ge=0)
    max_radius_m: float = 1_000_000
    # /api/clusters: at most this many grid cells per answer (a bigger box is answered at a coarser
    # zoom), and whether bbox/category-only clusters and facets read the trigger-maintained
    # aggregates (the total of the whole directory or of categories always does).
    cluster_max_cells: int = 1024
    cluster_aggregates: bool = True
    # Finer than the aggregates, a view is counted place by place, unless the aggregates say it
    # holds more places than this (a dense city): then it gets the finest aggregated cells, which
    # cost the same whatever the number of places.
    cluster_live_max_places: int = 5000
    # /api/categories counts live over at most this many matching places; beyond, a count the
    # aggregates cannot give is answered as null (counting a million places takes seconds).
    facet_max_places: int = 50_000
    # /admin/quality compares places for duplicates among at most this many at once (about
    # 0.15 ms a place); beyond, it asks for a municipality.
    quality_duplicates_max_places: int = 20_000

    # Map tiles: the only third-party request a page may make, and it can be switched off.
    tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    tile_attribution: str = (
        '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>-Mitwirkende'
    )
    tile_max_zoom: int = 19
    tiles_enabled: bool = True
    # The area the map opens on and that editors are expected to stay in: minLon,minLat,maxLon,maxLat.
    service_area: tuple[float, float, float, float] = (9.40, 50.30, 10.15, 50.85)
    data_attribution: str = (
        "Schuldaten: Hessisches Statistisches Landesamt via JedeSchule.de "
        "(Datenschule / Open Knowledge Foundation Deutschland), CC0 1.0. "
        "Koordinaten: geokodiert mit Nominatim, © OpenStreetMap-Mitwirkende, ODbL 1.0."
    )
    site_name: str = "Lernorte im Landkreis Fulda"
    # The accessibility statement (/barrierefreiheit): where people report barriers (shown when
    # set; the suggestion form is always offered), when the statement was last reviewed, and
    # where the enforcement procedure of the State of Hesse is applied for.
    accessibility_contact_email: str = ""
    accessibility_statement_date: date = date(2026, 11, 23)
    accessibility_enforcement_url: str = (
        "https://lbit.hessen.de/Durchsetzungs-und-Ueberwachungsstelle/"
        "Durchsetzungsverfahren-beantragen")
    # A Nominatim-compatible geocoder (e.g. https://nominatim.example.org), asked by
    # /api/gazetteer only when the places' own addresses have no match. Empty: never asked.
    geocoder_url: str = ""

    # Public data may be reused this long by browsers and proxies without asking (app/caching.py).
    cache_max_age_s: int = 60
    # The open-data description at /downloads (DCAT-AP.de). The demo's coordinates come from
    # OpenStreetMap, so the database as a whole is under the ODbL; the school data are CC0.
    data_publisher: str = "Landkreis Fulda, Bildungsbüro"
    data_license_name: str = "Open Database License (ODbL) 1.0"
    data_license_url: str = "https://opendatacommons.org/licenses/odbl/1-0/"
    data_license_dcat: str = "http://dcat-ap.de/def/licenses/odbl"
    # Where the data lie, as a DCAT-AP.de political geocoding URI (here the district's key).
    data_spatial: str = "http://dcat-ap.de/def/politicalGeocoding/districtKey/06631"

    # Who may frame /embed: origins such as https://www.fulda.de, or * for any site. Every other
    # page can never be framed. CORS for the public read API: origins, or * (public, cookie-free
    # data). Both are comma-separated in the environment.
    embed_allowed_origins: Annotated[list[str], NoDecode] = ["*"]
    cors_origins: Annotated[list[str], NoDecode] = ["*"]

    @field_validator("embed_allowed_origins", "cors_origins", mode="before")
    @classmethod
    def _origin_list(cls, value: object, info: ValidationInfo) -> list[str]:
        items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
        return check_origins(items, f"LERNORTE_{info.field_name.upper()}")

    # Signs session cookies and CSRF tokens. The default only exists so that a laptop works
    # without configuration; outside development it is refused (see _refuse_insecure_production).
    secret_key: str = DEVELOPMENT_SECRET
    session_cookie: str = "lernorte_session"
    # Secure cookies are only sent over HTTPS: off for http://127.0.0.1, required in production.
    cookie_secure: bool = False
    cookie_samesite: Literal["lax", "strict", "none"] = "lax"
    session_max_age_s: int = 8 * 3600
    # Login throttling: this many failures within the window lock an account (or, with the
    # larger number, a client address) until the window has passed. Stored in the database, so
    # every app process counts the same attempts.
    login_max_failures: int = 5
    login_max_failures_per_client: int = 20
    login_window_s: int = 15 * 60
    # Addresses of reverse proxies whose X-Forwarded-Proto/-For headers are believed (comma-separated).
    trusted_proxies: Annotated[list[str], NoDecode] = ["127.0.0.1", "::1"]
    # Citizens' suggestions: at most this many per client address and hour.
    suggestions_per_hour: int = 5
    # A suggestion sent sooner than this after the form was shown is a bot's (people read first).
    suggestion_min_fill_s: float = 3

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _address_list(cls, value: object) -> list[str]:
        return value.replace(",", " ").split() if isinstance(value, str) else list(value)

    # Operations. Logs are JSON lines on stderr ("text" for reading them in a terminal).
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    # A request waits at most this long for a pooled connection, a new connection at most
    # db_connect_timeout_s, one statement at most db_command_timeout_s: when the database is
    # gone, callers get a quick 503 instead of a hanging request.
    db_pool_size: int = 10
    db_max_overflow: int = 10
    db_pool_timeout_s: float = 5
    db_connect_timeout_s: float = 3
    db_command_timeout_s: float = 30
    # On SIGTERM/Ctrl-C a server stops accepting and waits this long for requests in flight.
    graceful_shutdown_s: int = 20
    # Who may read /metrics (the client address after X-Forwarded-For from a trusted proxy):
    # the host itself and private networks (a Prometheus next to the app), not the internet.
    metrics_networks: tuple[str, ...] = ("127.0.0.0/8", "::1/128", "10.0.0.0/8",
                                         "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> "Settings":
        if self.environment != "development":
            problems = insecure_settings(self)
            if problems:
                raise ValueError(f"refusing to start with environment={self.environment!r}: "
                                 + "; ".join(problems))
        return self


def insecure_settings(settings: Settings) -> list[str]:
    """What makes these settings unfit for anything but a developer's machine."""
    problems = []
    if settings.secret_key in WEAK_SECRETS:
        problems.append("LERNORTE_SECRET_KEY is unset or a well-known placeholder")
    elif len(settings.secret_key) < MIN_SECRET_LENGTH:
        problems.append(f"LERNORTE_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters "
                        "(e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))')")
    if not settings.cookie_secure:
        problems.append("LERNORTE_COOKIE_SECURE must be true (serve the site over HTTPS)")
    if settings.cookie_samesite == "none":
        problems.append("LERNORTE_COOKIE_SAMESITE=none lets other sites send the session cookie")
    return problems


@lru_cache
def get_settings() -> Settings:
    return Settings()
