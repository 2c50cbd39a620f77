"""Test environment defaults, set before Django's settings are imported."""

import os
import tempfile

os.environ.setdefault("LANTAI_SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("LANTAI_DATA_DIR", tempfile.mkdtemp(prefix="lantai-test-"))
