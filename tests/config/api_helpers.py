"""Shared by the API hardening tests: every POST endpoint of the schema, clients
that authenticate the two ways real callers do, and the one error shape."""

import re

from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jobs.models import BackgroundJob

NESTED_JSON = "[" * 5000 + "]" * 5000  # ~10 KB, far deeper than Python's recursion limit
PATH_VALUES = {"id": lambda job: job.pk, "channel": lambda job: "sms"}


def post_endpoints(job):
    """The URL of every POST operation in the OpenAPI schema, its path parameters
    filled in (`job` for ids): a new endpoint is covered without editing the tests."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    urls = []
    for path, operations in schema["paths"].items():
        if "post" in operations:
            names = re.findall(r"{(\w+)}", path)
            missing = [n for n in names if n not in PATH_VALUES]
            assert not missing, f"tests/config/api_helpers.py: give PATH_VALUES a value for {missing} ({path})"
            urls.append(re.sub(r"{(\w+)}", lambda m: str(PATH_VALUES[m.group(1)](job)), path))
    assert len(urls) >= 4, urls
    return sorted(urls)


def session_client(user):
    """A browser session: CSRF enforced, the token sent as the CRM's JavaScript sends it."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("login"))  # sets the CSRF cookie
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def assert_error_shape(response, status_code):
    assert response.status_code == status_code, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"success", "message", "errors"}, body
    assert body["success"] is False
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    return body


def assert_nothing_started(jobs_before):
    assert BackgroundJob.objects.count() == jobs_before
