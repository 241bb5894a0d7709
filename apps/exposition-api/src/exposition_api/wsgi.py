"""WSGI entry point: `gunicorn -c apps/exposition-api/gunicorn.conf.py exposition_api.wsgi:app`."""

from exposition_api import create_app

app = create_app()
