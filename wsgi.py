"""The WSGI entry point: `gunicorn wsgi:app`."""

from cafe import create_app

app = create_app()
