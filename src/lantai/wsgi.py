"""WSGI entry point (used by `lantai serve` through waitress, or by any WSGI server)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantai.settings")
application = get_wsgi_application()
