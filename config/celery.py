"""The Celery app. Every setting lives in config/settings.py under CELERY_*."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping")
def ping():
    """End-to-end smoke test: Django -> broker -> worker -> result row.
    `python manage.py shell -c "from config.celery import ping; print(ping.delay().get(timeout=10))"`"""
    return "pong"
