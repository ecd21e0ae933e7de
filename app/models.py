"""Database tables. API schemas live beside the routes that use them, not here."""

from __future__ import annotations

import datetime as dt

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PLACE_STATUSES = ("draft", "published", "archived")
WHEELCHAIR_VALUES = ("yes", "limited", "no", "unknown")
PROVIDER_KINDS = ("public", "church", "private", "association")
USER_ROLES = ("admin", "editor")

# Everything a citizen can search by, folded by lernorte_fold() (see the first migration):
# lower case, umlauts spelt out (ü -> ue), other accents removed.
SEARCH_TEXT_SQL = (
    "lernorte_fold(coalesce(name, '') || ' ' || coalesce(provider, '') || ' ' || "
    "coalesce(street, '') || ' ' || coalesce(postcode, '') || ' ' || coalesce(city, '') || ' ' || "
    "coalesce(municipality, '') || ' ' || coalesce(description, ''))"
)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Stage(Base):
    """A stage of the learning biography (Frühkindliche Bildung, Schule, …)."""

    __tablename__ = "stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    names: Mapped[dict] = mapped_column(JSONB)
    colour: Mapped[str] = mapped_column(String(7))
    icon: Mapped[str] = mapped_column(String(64))
    sort_order: Mapped[int] = mapped_column(SmallInteger)


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"), index=True)
    names: Mapped[dict] = mapped_column(JSONB)
    colour: Mapped[str] = mapped_column(String(7))
    icon: Mapped[str] = mapped_column(String(64))
    sort_order: Mapped[int] = mapped_column(SmallInteger)


class Place(Base):
    __tablename__ = "places"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_places_source_source_id"),
        CheckConstraint(f"status IN {PLACE_STATUSES}", name="status"),
        CheckConstraint(f"wheelchair IN {WHEELCHAIR_VALUES}", name="wheelchair"),
        CheckConstraint(f"provider_kind IS NULL OR provider_kind IN {PROVIDER_KINDS}",
                        name="provider_kind"),
        # A place without a location can never be on the public map.
        CheckConstraint("status <> 'published' OR geom IS NOT NULL", name="published_has_location"),
        Index("ix_places_geom", "geom", postgresql_using="gist"),
        # The proximity query measures on the spheroid and needs an index on the geography.
        Index("ix_places_geog", text("(geom::geography)"), postgresql_using="gist"),
        Index("ix_places_search_text", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}),
        Index("ix_places_status", "status"),
        Index("ix_places_ags", "ags"),
        Index("ix_places_municipality_key", "municipality_key"),
        Index("ix_places_city_key", "city_key"),
        # The first page of a list or map by name: a walk along this index instead of sorting
        # every published place (migration 0006), testing target groups and languages (migration
        # 0014) and the municipality (migration 0017) on the way.
        Index("ix_places_published_name", "name", "id",
              postgresql_include=["target_groups", "languages", "municipality_key", "city_key",
                                  "ags"],
              postgresql_where=text("status = 'published'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    street: Mapped[str | None] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(200))
    municipality: Mapped[str | None] = mapped_column(String(200))
    ags: Mapped[str | None] = mapped_column(String(12))
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(500))
    provider: Mapped[str | None] = mapped_column(String(300))
    provider_kind: Mapped[str | None] = mapped_column(String(20))
    target_groups: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    languages: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    wheelchair: Mapped[str] = mapped_column(String(10), server_default="unknown")
    accessibility_notes: Mapped[str | None] = mapped_column(Text)
    opening_hours: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), server_default="draft")
    source: Mapped[str | None] = mapped_column(String(100))
    source_id: Mapped[str | None] = mapped_column(String(100))
    # Attributes a source has that the model does not (school number, pupils, fax, …).
    extra: Mapped[dict] = mapped_column(JSONB, server_default="{}")
    last_verified: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    search_text: Mapped[str] = mapped_column(Text, Computed(SEARCH_TEXT_SQL, persisted=True))
    # The municipality filter compares these, and the aggregates' members carry them
    # (migration 0016): folded once when a place is written, not per place at each request.
    municipality_key: Mapped[str | None] = mapped_column(
        Text, Computed("lernorte_fold(municipality)", persisted=True))
    city_key: Mapped[str | None] = mapped_column(Text, Computed("lernorte_fold(city)", persisted=True))


class PlaceCategory(Base):
    """A place's categories; position 0 is its primary one (icon and colour)."""

    __tablename__ = "place_categories"
    __table_args__ = (
        Index("ix_place_categories_category_id_place_id", "category_id", "place_id"),
        # A place's primary category without visiting the table (migration 0012).
        Index("ix_place_categories_primary", "place_id", "position",
              postgresql_include=["category_id"]),
    )

    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"),
                                             primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {USER_ROLES}", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    # AGS keys of the municipalities an editor may change; empty means all.
    municipalities: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    active: Mapped[bool] = mapped_column(server_default="true")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Revision(Base):
    """Every change to a place: who, when, what (before and after)."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    action: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSONB)
    after: Mapped[dict | None] = mapped_column(JSONB)
