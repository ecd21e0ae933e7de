"""Lernorte: the web service over the places of lifelong learning."""
