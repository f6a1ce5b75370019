"""Reads of the command center, one module per concept (areas, indicators, overview, analysis, reports)."""
