"""`/healthz`: is the database answering, is the broker answering."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .celery import app


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def broker_ok() -> bool:
    try:
        # One quick attempt: a probe must answer fast, and it is repeated anyway.
        options = {"socket_connect_timeout": 2, "socket_timeout": 2}
        with app.connection_for_write(transport_options=options) as conn:
            conn.ensure_connection(max_retries=0)
        return True
    except Exception:
        return False


@never_cache
def healthz(request):
    checks = {"database": database_ok(), "broker": broker_ok()}
    ok = all(checks.values())
    body = {"status": "ok" if ok else "error", **{k: "ok" if v else "unreachable" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if ok else 503)
