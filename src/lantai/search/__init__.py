"""Lantai search: Chinese full-text search behind one backend Protocol."""
