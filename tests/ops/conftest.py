import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from tests.notifications.conftest import gateway  # noqa: F401  (the fake SMS gateway fixture)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def scrape(client, **headers) -> dict:
    """GET /metrics -> {(sample name, frozenset of labels): value}."""
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }
