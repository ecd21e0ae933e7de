"""Open data: the complete published dataset at stable URLs, with its licence and description."""
