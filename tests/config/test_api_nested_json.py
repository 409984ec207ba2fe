"""A deeply nested JSON body (depth 5,000) on every POST endpoint answers 400 JSON, not a 500."""

import pytest

from jobs.models import BackgroundJob
from tests.jobs.factories import BackgroundJobFactory

from .api_helpers import NESTED_JSON, assert_error_shape, post_endpoints, session_client, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_failed_job(alice):
    return BackgroundJobFactory(created_by=alice, failed=True)


@pytest.mark.parametrize("make_client", [session_client, token_client], ids=["session", "token"])
def test_nested_json_on_every_post_endpoint_is_a_400(alice, alices_failed_job, make_client):
    client = make_client(alice)

    for url in post_endpoints(alices_failed_job):
        response = client.post(url, data=NESTED_JSON, content_type="application/json")

        body = assert_error_shape(response, 400)
        assert body["errors"]["non_field_errors"] == ["The JSON is nested too deeply."], url
    # nothing was started, retried or cancelled
    assert BackgroundJob.objects.count() == 1
    alices_failed_job.refresh_from_db()
    assert (alices_failed_job.status, alices_failed_job.cancel_requested) == (BackgroundJob.Status.FAILED, False)


def test_the_message_is_translated(alice, alices_failed_job):
    client = session_client(alice)

    response = client.post(
        f"/jobs/api/{alices_failed_job.pk}/retry/",
        NESTED_JSON,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fa",
    )

    body = assert_error_shape(response, 400)
    assert body["message"] != "The JSON is nested too deeply."
