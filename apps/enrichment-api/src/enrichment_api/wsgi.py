"""WSGI entry point: `gunicorn -c apps/enrichment-api/gunicorn.conf.py enrichment_api.wsgi:app`."""

from enrichment_api import create_app

app = create_app()
