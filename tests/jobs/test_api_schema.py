"""The OpenAPI schema at /api/schema/ documents the jobs API without warnings."""

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn turns any warning (for any view) into an error
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))

    schema = (tmp_path / "schema.yaml").read_text()
    for path in ("/jobs/api/active/", "/jobs/api/history/", "/jobs/api/{id}/", "/jobs/api/{id}/cancel/"):
        assert path in schema


def test_schema_is_served(alice_client):
    response = alice_client.get(reverse("schema"), HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    item = response.json()["components"]["schemas"]["BackgroundJob"]
    assert {"statusBadgeClass", "startDate", "downloadUrl"} <= set(item["properties"])
