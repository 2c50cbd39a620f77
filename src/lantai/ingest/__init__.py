"""Lantai ingest: online archiving: submissions, packages, four-property checks, pre-archive queue."""
