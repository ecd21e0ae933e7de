"""Initial schema: stages, categories, places, users, revisions, with the seeded taxonomy.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# lower case, German umlauts spelt out (so "Fuerstenberg" and "Fürstenberg" meet), other accents
# removed. Schema-qualified so that it also works under pg_dump's empty search_path.
FOLD_FUNCTION = r"""
CREATE FUNCTION lernorte_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
  SELECT pg_catalog.lower(public.unaccent('public.unaccent'::regdictionary,
    pg_catalog.translate(
      pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
        pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(value,
          'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'Ä', 'Ae'), 'Ö', 'Oe'), 'Ü', 'Ue'), 'ß', 'ss'),
      '-/.,;:()"''', '          ')))
$$
"""

SEARCH_TEXT_SQL = (
    "lernorte_fold(coalesce(name, '') || ' ' || coalesce(provider, '') || ' ' || "
    "coalesce(street, '') || ' ' || coalesce(postcode, '') || ' ' || coalesce(city, '') || ' ' || "
    "coalesce(municipality, '') || ' ' || coalesce(description, ''))"
)

# (slug, de, en, uk, ar, colour, icon, [(slug, de, en, uk, ar), …])
TAXONOMY = [
    ("fruehkindlich", "Frühkindliche Bildung", "Early childhood education",
     "Дошкільна освіта", "التعليم في الطفولة المبكرة", "#b45309", "stage-fruehkindlich", [
         ("kita", "Kita", "Day-care centre", "Дитячий садок", "روضة أطفال"),
         ("kindertagespflege", "Kindertagespflege", "Childminding", "Денний догляд за дітьми",
          "رعاية نهارية للأطفال"),
         ("familienzentrum", "Familienzentrum", "Family centre", "Сімейний центр", "مركز الأسرة"),
     ]),
    ("schule", "Schule", "School", "Школа", "المدرسة", "#1d4ed8", "stage-schule", [
        ("grundschule", "Grundschule", "Primary school", "Початкова школа", "مدرسة ابتدائية"),
        ("weiterfuehrende-schule", "weiterführende Schule", "Secondary school", "Середня школа",
         "مدرسة ثانوية"),
        ("foerderschule", "Förderschule", "Special needs school",
         "Школа для дітей з особливими потребами", "مدرسة لذوي الاحتياجات الخاصة"),
    ]),
    ("beruf", "Übergang Schule–Beruf und berufliche Bildung",
     "School-to-work transition and vocational education",
     "Перехід від школи до професії та професійна освіта",
     "الانتقال من المدرسة إلى العمل والتعليم المهني", "#047857", "stage-beruf", [
         ("berufliche-schule", "berufliche Schule", "Vocational school", "Професійна школа",
          "مدرسة مهنية"),
         ("berufsorientierung", "Berufsorientierung und -beratung",
          "Career orientation and counselling", "Профорієнтація та консультації",
          "التوجيه والإرشاد المهني"),
         ("ausbildung", "überbetriebliche Ausbildung", "Inter-company vocational training",
          "Міжвиробниче професійне навчання", "تدريب مهني مشترك بين الشركات"),
     ]),
    ("hochschule", "Hochschule", "Higher education", "Вища освіта", "التعليم العالي",
     "#6d28d9", "stage-hochschule", [
         ("hochschule", "Hochschule", "University", "Університет", "جامعة"),
     ]),
    ("weiterbildung", "Weiterbildung", "Continuing education", "Подальша освіта",
     "التعليم المستمر", "#be123c", "stage-weiterbildung", [
         ("volkshochschule", "Volkshochschule", "Adult education centre (VHS)",
          "Народна вища школа (VHS)", "مركز تعليم الكبار"),
         ("weiterbildungstraeger", "Weiterbildungsträger", "Continuing education provider",
          "Заклад подальшої освіти", "مقدم خدمات التعليم المستمر"),
         ("sprachkurs", "Sprach- und Integrationskurse", "Language and integration courses",
          "Мовні та інтеграційні курси", "دورات اللغة والاندماج"),
     ]),
    ("kultur", "Außerschulische und kulturelle Bildung", "Out-of-school and cultural education",
     "Позашкільна та культурна освіта", "التعليم اللامدرسي والثقافي", "#0e7490", "stage-kultur", [
         ("bibliothek", "Bibliothek", "Library", "Бібліотека", "مكتبة"),
         ("museum", "Museum", "Museum", "Музей", "متحف"),
         ("musikschule", "Musikschule", "Music school", "Музична школа", "مدرسة موسيقى"),
         ("jugendzentrum", "Jugendzentrum", "Youth centre", "Молодіжний центр", "مركز الشباب"),
         ("umweltbildung", "Umweltbildung", "Environmental education", "Екологічна освіта",
          "التربية البيئية"),
     ]),
    ("beratung", "Beratung", "Counselling", "Консультації", "الإرشاد", "#a21caf", "stage-beratung", [
        ("bildungsberatung", "Bildungsberatung", "Education counselling", "Освітні консультації",
         "الإرشاد التعليمي"),
        ("migrationsberatung", "Migrationsberatung", "Migration counselling",
         "Консультації для мігрантів", "إرشاد المهاجرين"),
    ]),
]


def _created_at() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                     nullable=False)


def upgrade() -> None:
    for extension in ("postgis", "pg_trgm", "unaccent"):
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
    op.execute(FOLD_FUNCTION)

    op.create_table(
        "stages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("names", postgresql.JSONB(), nullable=False),
        sa.Column("colour", sa.String(7), nullable=False),
        sa.Column("icon", sa.String(64), nullable=False),
        sa.Column("sort_order", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stages"),
        sa.UniqueConstraint("slug", name="uq_stages_slug"),
    )
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("names", postgresql.JSONB(), nullable=False),
        sa.Column("colour", sa.String(7), nullable=False),
        sa.Column("icon", sa.String(64), nullable=False),
        sa.Column("sort_order", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_categories"),
        sa.UniqueConstraint("slug", name="uq_categories_slug"),
        sa.ForeignKeyConstraint(["stage_id"], ["stages.id"], name="fk_categories_stage_id_stages"),
    )
    op.create_index("ix_categories_stage_id", "categories", ["stage_id"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("municipalities", postgresql.ARRAY(sa.Text()), server_default="{}",
                  nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
        sa.CheckConstraint("role IN ('admin', 'editor')", name="ck_users_role"),
    )
    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("street", sa.String(300)),
        sa.Column("postcode", sa.String(10)),
        sa.Column("city", sa.String(200)),
        sa.Column("municipality", sa.String(200)),
        sa.Column("ags", sa.String(12)),
        sa.Column("geom", geoalchemy2.Geometry("POINT", srid=4326, spatial_index=False)),
        sa.Column("phone", sa.String(100)),
        sa.Column("email", sa.String(254)),
        sa.Column("website", sa.String(500)),
        sa.Column("provider", sa.String(300)),
        sa.Column("provider_kind", sa.String(20)),
        sa.Column("target_groups", postgresql.ARRAY(sa.Text()), server_default="{}",
                  nullable=False),
        sa.Column("languages", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("wheelchair", sa.String(10), server_default="unknown", nullable=False),
        sa.Column("accessibility_notes", sa.Text()),
        sa.Column("opening_hours", sa.String(500)),
        sa.Column("status", sa.String(10), server_default="draft", nullable=False),
        sa.Column("source", sa.String(100)),
        sa.Column("source_id", sa.String(100)),
        sa.Column("extra", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column("last_verified", sa.Date()),
        _created_at(),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("created_by", sa.Integer()),
        sa.Column("updated_by", sa.Integer()),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("search_text", sa.Text(), sa.Computed(SEARCH_TEXT_SQL, persisted=True)),
        sa.PrimaryKeyConstraint("id", name="pk_places"),
        sa.UniqueConstraint("source", "source_id", name="uq_places_source_source_id"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_places_created_by_users"),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name="fk_places_updated_by_users"),
        sa.CheckConstraint("status IN ('draft', 'published', 'archived')", name="ck_places_status"),
        sa.CheckConstraint("wheelchair IN ('yes', 'limited', 'no', 'unknown')",
                           name="ck_places_wheelchair"),
        sa.CheckConstraint(
            "provider_kind IS NULL OR provider_kind IN ('public', 'church', 'private', 'association')",
            name="ck_places_provider_kind"),
        sa.CheckConstraint("status <> 'published' OR geom IS NOT NULL",
                           name="ck_places_published_has_location"),
    )
    op.create_index("ix_places_geom", "places", ["geom"], postgresql_using="gist")
    op.create_index("ix_places_geog", "places", [sa.text("(geom::geography)")],
                    postgresql_using="gist")
    op.create_index("ix_places_search_text", "places", ["search_text"], postgresql_using="gin",
                    postgresql_ops={"search_text": "gin_trgm_ops"})
    op.create_index("ix_places_status", "places", ["status"])
    op.create_index("ix_places_ags", "places", ["ags"])
    op.create_table(
        "place_categories",
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("place_id", "category_id", name="pk_place_categories"),
        sa.ForeignKeyConstraint(["place_id"], ["places.id"], ondelete="CASCADE",
                                name="fk_place_categories_place_id_places"),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"], ondelete="RESTRICT",
                                name="fk_place_categories_category_id_categories"),
    )
    op.create_index("ix_place_categories_category_id_place_id", "place_categories",
                    ["category_id", "place_id"])
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer()),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("before", postgresql.JSONB()),
        sa.Column("after", postgresql.JSONB()),
        sa.PrimaryKeyConstraint("id", name="pk_revisions"),
        sa.ForeignKeyConstraint(["place_id"], ["places.id"], ondelete="CASCADE",
                                name="fk_revisions_place_id_places"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_revisions_user_id_users"),
    )
    op.create_index("ix_revisions_place_id", "revisions", ["place_id"])

    _seed_taxonomy()


def _seed_taxonomy() -> None:
    stages = sa.table("stages", sa.column("id"), sa.column("slug"), sa.column("names", postgresql.JSONB),
                      sa.column("colour"), sa.column("icon"), sa.column("sort_order"))
    categories = sa.table("categories", sa.column("slug"), sa.column("stage_id"),
                          sa.column("names", postgresql.JSONB), sa.column("colour"), sa.column("icon"),
                          sa.column("sort_order"))
    order = 0
    for stage_order, (slug, de, en, uk, ar, colour, icon, cats) in enumerate(TAXONOMY, start=1):
        op.bulk_insert(stages, [{
            "id": stage_order, "slug": slug, "colour": colour, "icon": icon,
            "sort_order": stage_order,
            "names": {"de": de, "en": en, "uk": uk, "ar": ar},
        }])
        rows = []
        for cat_slug, cde, cen, cuk, car in cats:
            order += 1
            rows.append({"slug": cat_slug, "stage_id": stage_order, "colour": colour,
                         "icon": f"category-{cat_slug}", "sort_order": order,
                         "names": {"de": cde, "en": cen, "uk": cuk, "ar": car}})
        op.bulk_insert(categories, rows)
    op.execute("SELECT setval(pg_get_serial_sequence('stages', 'id'), (SELECT max(id) FROM stages))")


def downgrade() -> None:
    for table in ("revisions", "place_categories", "places", "users", "categories", "stages"):
        op.drop_table(table)
    op.execute("DROP FUNCTION IF EXISTS lernorte_fold(text)")
    # postgis_topology etc. are not ours; the three we created go with the schema.
    for extension in ("unaccent", "pg_trgm", "postgis"):
        op.execute(f"DROP EXTENSION IF EXISTS {extension}")
