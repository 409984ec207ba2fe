"""Counts the SQL writes (INSERT/UPDATE/DELETE) a worker process makes, per table.

Imported by workers started with DJANGO_SETTINGS_MODULE=bench.settings_count_writes:
every pool process wraps its database connection (django execute_wrappers, so the
tracking API, django-celery-results and anything else on the connection count)
and, after each task, adds what it wrote since the last report to a Redis hash
`bench:writes` (field = "VERB table"). Only for benchmarks: it costs a Redis call
per task."""

import os
import re
from collections import Counter

import redis
from celery.signals import task_postrun, worker_process_init
from django.db import connection

KEY = "bench:writes"
WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.IGNORECASE)
_pending = Counter()
_client = None


def count_writes(execute, sql, params, many, context):
    match = WRITE.match(sql)
    if match:
        verb = match.group(1).split()[0].upper()
        _pending[f"{verb} {match.group(2)}"] += len(params) if many and params else 1
    return execute(sql, params, many, context)


@worker_process_init.connect
def install(**kwargs):
    global _client
    _client = redis.Redis.from_url(os.environ["REDIS_URL"])
    connection.execute_wrappers.append(count_writes)


@task_postrun.connect
def report(**kwargs):
    if _pending and _client is not None:
        pipe = _client.pipeline()
        for field, n in _pending.items():
            pipe.hincrby(KEY, field, n)
        pipe.execute()
        _pending.clear()
