"""The Celery app. Every setting lives in config/settings.py under CELERY_*."""

import logging
import os
from logging.config import dictConfig

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(loglevel=None, **kwargs):
    """Workers and beat log like web (settings.LOGGING: job ids, LOG_FORMAT), not Celery's own way."""
    from django.conf import settings

    dictConfig(settings.LOGGING)
    if loglevel:  # `-l LEVEL` on the command line wins, as in Celery
        logging.getLogger().setLevel(loglevel)


@app.task(name="config.ping")
def ping():
    """End-to-end smoke test: Django -> broker -> worker -> result row.
    `python manage.py shell -c "from config.celery import ping; print(ping.delay().get(timeout=10))"`"""
    return "pong"
