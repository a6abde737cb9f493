"""Logins, roles and CSRF protection."""
