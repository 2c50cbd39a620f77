"""Lantai storage: content-addressed object storage, locations and fixity."""
