"""Lantai accounts: institutions, users, roles (incl. 三员分立) and API keys."""
