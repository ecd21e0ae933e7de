"""Accounts, server-side sessions, CSRF protection and login throttling for the administration."""
