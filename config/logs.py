"""Logging shared by web, workers and beat (settings.LOGGING; workers use it too,
see config/celery.py): every line written while a job's task runs carries the job
id, and LOG_FORMAT=json writes one JSON object per line for log collectors.

The job id lives in a context variable, set around each job task (jobs/signals.py)
and handed to the threads a task starts (`current_job.get()` as their initial value).
"""

import contextvars
import logging

current_job: contextvars.ContextVar = contextvars.ContextVar("current_job", default=None)


class JobIdFilter(logging.Filter):
    """Adds `job_id` (None outside a job) and `job` ("job=<id> " or "") to every record."""

    def filter(self, record):
        job_id = current_job.get()
        record.job_id = job_id
        record.job = "" if job_id is None else f"job={job_id} "
        return True


def config(level: str, fmt: str) -> dict:
    """The LOGGING dict: one console handler, plain or JSON lines, job id on each."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"job": {"()": JobIdFilter}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(job)s%(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(processName)s %(job_id)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": fmt, "filters": ["job"]}},
        "root": {"handlers": ["console"], "level": level},
    }
