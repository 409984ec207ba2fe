"""GET /metrics: Prometheus text format, for staff (session) or a scraper with
`Authorization: Bearer <METRICS_TOKEN>`. Anonymous or a wrong token: 401; a
signed-in user who is not staff: 404 (the endpoint is not theirs to know about)."""

import hmac

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry

from config.api import error_body

from .metrics import PlatformCollector

registry = CollectorRegistry()
registry.register(PlatformCollector())


def _error(status, message):
    response = JsonResponse(error_body(message), status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return response


def _bearer_ok(header: str) -> bool:
    token = settings.METRICS_TOKEN
    scheme, _sep, value = header.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())


@never_cache
@require_GET
def metrics(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        if not _bearer_ok(header):
            return _error(401, _("Invalid metrics token."))
    elif not request.user.is_authenticated:
        return _error(401, _("Authentication credentials were not provided."))
    elif not request.user.is_staff:
        return _error(404, _("Not found."))
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
