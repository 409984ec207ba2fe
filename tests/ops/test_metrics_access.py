"""GET /metrics: staff or the metrics token only."""

import json
import re

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from tests.jobs.factories import BackgroundJobFactory
from tests.workers import BASE_DIR

from .conftest import scrape

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401(client):
    response = client.get("/metrics")

    assert response.status_code == 401
    assert response.json()["success"] is False
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_user_who_is_not_staff_gets_404(alice):
    client = Client()
    client.force_login(alice)

    response = client.get("/metrics")

    assert response.status_code == 404
    assert b"crm_jobs" not in response.content


def test_a_wrong_token_gets_401(client, settings):
    settings.METRICS_TOKEN = "right-token"

    for header in ("Bearer wrong-token", "Bearer ", "Basic cmlnaHQtdG9rZW4=", "right-token"):
        assert client.get("/metrics", HTTP_AUTHORIZATION=header).status_code == 401, header


def test_no_token_is_accepted_when_none_is_configured(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401


def test_the_metrics_token_is_enough(client, settings):
    settings.METRICS_TOKEN = "right-token"

    samples = scrape(client, HTTP_AUTHORIZATION="Bearer right-token")

    assert samples[("crm_jobs", frozenset({"type": "sms", "status": "running"}.items()))] == 0


def test_staff_see_the_metrics(staff_client):
    samples = scrape(staff_client)

    assert ("crm_sms_rate_limit_wait_seconds_total", frozenset()) in samples


def test_only_get(staff_client):
    assert staff_client.post("/metrics").status_code == 405


def test_the_grafana_dashboard_uses_only_metrics_the_endpoint_serves(staff_client, alice):
    BackgroundJobFactory(created_by=alice, completed=True)  # a duration to show
    dashboard = json.loads((BASE_DIR / "ops" / "grafana" / "platform.json").read_text())
    response = staff_client.get("/metrics")
    families = list(text_string_to_metric_families(response.content.decode()))
    served = {f.name for f in families} | {s.name for f in families for s in f.samples}  # some are broker-specific
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]

    used = {name for expr in exprs for name in re.findall(r"\bcrm_[a-z_]+", expr)}

    assert used and used <= served, used - served
    assert {"crm_jobs", "crm_queue_messages", "crm_deliveries", "crm_reaper_jobs_total"} <= used
    assert any(name.startswith("crm_job_duration_seconds") for name in used)
    assert "crm_sms_rate_limit_wait_seconds_total" in used
