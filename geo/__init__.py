"""Pure GIS logic: parsing, validation, distance, GeoJSON. Knows nothing of the web or the database."""
