"""Bulk email through Django's SMTP backend to a real local SMTP server."""

import pytest

from jobs.models import BackgroundJob
from notifications.audience import resolve_audience
from notifications.campaigns import start_campaign
from tests.fakes.smtp_server import SmtpServer

from .conftest import wait_finished

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


def test_500_emails_reach_the_smtp_server_once_each(worker_factory, smtp, alice):
    # given
    worker_factory(env={"EMAIL_URL": smtp.url, "BULK_CHUNK_SIZE": "100", "DEFAULT_FROM_EMAIL": "crm@example.com"})
    addresses = [f"user{i}@example.com" for i in range(500)]
    audience = resolve_audience("email", recipients=addresses)

    # when
    campaign = start_campaign(alice, audience, subject="News", body="Plain text", html="<p>HTML</p>")
    job = wait_finished(campaign.job, timeout=90)

    # then
    assert job.status == BackgroundJob.Status.COMPLETED
    assert (job.total_items, job.success_count, job.failed_count) == (500, 500, 0)
    assert smtp.handler.received == {a: 1 for a in addresses}
    assert smtp.handler.connections <= 5 + 2  # one connection per chunk (plus slack for a reconnect)
    message = smtp.handler.messages[0]
    assert message["Subject"] == "News"
    assert [part.get_content_type() for part in message.walk()][1:] == ["text/plain", "text/html"]
    assert campaign.deliveries.filter(status="sent").exclude(provider_message_id="").count() == 500
