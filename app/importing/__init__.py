"""Reading files of places (CSV, GeoJSON) and storing them idempotently."""
