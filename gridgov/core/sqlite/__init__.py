"""SQLite with a write queue between processes (see ``base``)."""
