"""Typed settings, read from the environment (prefix ``LERNORTE_``; ``DATABASE_URL`` as is)."""

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    # numberMatched is counted exactly up to this many rows; beyond it is left out (OGC API allows it).
    max_exact_count: int = 10000
    max_radius_m: float = 1_000_000

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


@lru_cache
def get_settings() -> Settings:
    return Settings()
