"""gunicorn settings for production (`gunicorn -c gunicorn.conf.py wsgi:app`).

gunicorn's own access log is switched off: it would print raw URLs, and API URLs carry NHS
numbers. The app writes one JSON line per request with the route template instead.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# A batch check of 1,000,000 NHS numbers streams for longer than gunicorn's default 30 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
