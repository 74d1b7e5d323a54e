"""WSGI entry point, for gunicorn: `gunicorn tracker.wsgi`.

Whatever serves the application through WSGI is a deployment: it runs as production (no `.env`,
no DEBUG; see tracker/settings.py) unless DJANGO_ENV says otherwise. `manage.py runserver` reads the
settings before it loads this module, so development is unaffected.
"""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_ENV", "production")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
application = get_wsgi_application()
