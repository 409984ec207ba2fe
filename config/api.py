"""What every app's JSON API shares: one error shape, safe body parsing and the
schema's error responses (the job-start throttle is in config/throttling.py).

Every API error, whatever raised it (a serializer, get_object_or_404, a parser,
authentication, a throttle, an oversized body), answers
`{"success": false, "message": ..., "errors": {field: [...]}}` with its own
status code: `exception_handler` is DRF's EXCEPTION_HANDLER, and the views
subclass `ApiView` so every POST body is checked before the view runs.
"""

import re

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

INVALID = _("The request is invalid.")
BODY_METHODS = ("POST", "PUT", "PATCH")


class InvalidRequest(exceptions.ValidationError):
    """A 400 with field errors and, optionally, the endpoint's own message."""

    def __init__(self, errors, message=None):
        super().__init__(errors)
        self.message = message


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = _("This resource is no longer available.")
    default_code = "gone"


class ApiView(APIView):
    """Base view of the JSON API: a POST body is parsed (and refused with 400, 413
    or 415) before the view runs, even by views that ignore it, so every endpoint
    answers bad input the same way."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in BODY_METHODS:
            request.data  # noqa: B018  (parses the body; errors become 4xx answers)


def error_body(message, errors=None) -> dict:
    return {"success": False, "message": str(message), "errors": errors or {}}


def exception_handler(exc, context):
    """DRF's handler (status, Retry-After, WWW-Authenticate headers), in the one shape."""
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()  # not get_object_or_404's "No <Model> matches the given query."
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real server error: Django's 500 handling and logging
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data.get("detail", "")
    if isinstance(exc, exceptions.ValidationError):
        errors = detail if isinstance(detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: detail}
        message = getattr(exc, "message", None) or INVALID
    elif isinstance(detail, dict | list):
        errors, message = ({} if isinstance(detail, list) else detail), INVALID
    else:
        message = detail
        # A body that cannot be read is a request-wide error, listed like a serializer's.
        errors = {api_settings.NON_FIELD_ERRORS_KEY: [detail]} if response.status_code == 400 else {}
    response.data = error_body(message, errors)
    return response


def is_api_request(request) -> bool:
    """An API path, a token, or a client asking for JSON rather than a page."""
    accept = request.headers.get("Accept", "")
    return (
        "/api/" in request.path
        or "Authorization" in request.headers
        or ("application/json" in accept and "text/html" not in accept)
    )


def json_or_html(json_status, message, html_handler):
    """Django's error handlers for URLs outside any DRF view (e.g. /jobs/api/x/): JSON
    in the one shape for API requests, the usual HTML page for the rest of the site."""

    def handler(request, exception=None, **kwargs):
        if is_api_request(request):
            return JsonResponse(error_body(message), status=json_status)
        return html_handler(request, exception, **kwargs)

    return handler


# --- OpenAPI ----------------------------------------------------------------------


class ErrorResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField(default=False)
    message = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Field name -> list of messages (for a list field: item index -> messages); may be empty.",
    )


# The shape of every successful answer, `{"success": true, ...}` (a comment, not a
# docstring: the schema would give it as the description of every such response).
class SuccessResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()


def success_response(name, **fields):
    """An inline response schema named `name`: `success` first, then `fields`."""
    return type(name, (SuccessResponseSerializer,), fields)()


def _error(description):
    return OpenApiResponse(response=ErrorResponseSerializer, description=description)


ERRORS = {
    400: _error("Invalid input: field errors; nothing was started."),
    401: _error("Not authenticated (send `Authorization: Token <key>` or a session cookie)."),
    403: _error("Not allowed (e.g. a session POST without its CSRF token)."),
    404: _error("Not found among your own objects."),
    405: _error("Method not allowed."),
    406: _error("Cannot answer in the requested media type."),
    413: _error("The request body is too large."),
    415: _error("Unsupported media type (send application/json)."),
    429: _error("Too many requests; retry after `Retry-After` seconds."),
}

ERROR_HEADERS = {
    "401": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Token`"}},
    "429": {"Retry-After": {"schema": {"type": "string"}, "description": "Seconds until a new job may start."}},
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema plus the error responses every endpoint can give:
    401/403/405/406 everywhere, 404 with an object id in the path, 400/413/415 with a body,
    429 where a throttle applies. A view's own description of a status wins."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = [401, 403, 405, 406]
        if re.search(r"\(\?P<(pk|id)>", self.path_regex or ""):
            codes.append(404)  # an object looked up among the user's own
        if self.method in BODY_METHODS:
            codes += [400, 413, 415]
        if any(isinstance(t, UserRateThrottle) for t in self.view.get_throttles()):
            codes.append(429)
        for code in codes:
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(ERRORS[code], str(code), direction=direction)
        return responses

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        headers.update(ERROR_HEADERS.get(str(status_code), {}))
        return headers
