"""The administration: HTML pages at /admin and the JSON API at /api/admin."""
