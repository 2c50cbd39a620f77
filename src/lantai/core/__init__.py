"""Lantai core: shared kernel: ids, errors, hashing, jobs seam, i18n helpers. Imports no other app."""
