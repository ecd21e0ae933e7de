"""A place as one JSON object, for the history (before/after) and for diffs."""

SNAPSHOT_COLUMNS = (
    "name", "description", "street", "postcode", "city", "municipality", "ags", "phone", "email",
    "website", "provider", "provider_kind", "target_groups", "languages", "wheelchair",
    "accessibility_notes", "opening_hours", "status", "source", "source_id", "last_verified",
    "extra", "version",
)


def snapshot_sql(alias: str) -> str:
    """SQL for the snapshot of the place row ``alias``, categories (slugs, primary first) included."""
    pairs = ", ".join(f"'{c}', {alias}.{c}" for c in SNAPSHOT_COLUMNS)
    return (
        f"jsonb_build_object({pairs}, "
        f"'lon', ST_X({alias}.geom), 'lat', ST_Y({alias}.geom), "
        f"'categories', (SELECT coalesce(jsonb_agg(c.slug ORDER BY pc.position), '[]'::jsonb) "
        f"FROM place_categories pc JOIN categories c ON c.id = pc.category_id "
        f"WHERE pc.place_id = {alias}.id))"
    )
