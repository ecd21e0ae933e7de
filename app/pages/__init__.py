"""Pages rendered on the server for people (as opposed to the JSON API)."""
