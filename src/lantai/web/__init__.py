"""Lantai web: the staff web UI shell: login, dashboard, navigation, module pages."""
