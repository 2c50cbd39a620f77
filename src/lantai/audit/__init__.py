"""Lantai audit: the append-only, hash-chained audit log and its verification."""
