"""Lantai catalog: the catalogue: fonds, categories, metadata schemes, archival code rules, items, volumes."""
