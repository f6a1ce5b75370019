"""Helpers for the test suite: factories and small area trees (imported by tests only)."""
