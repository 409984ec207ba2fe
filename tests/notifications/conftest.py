import pytest

from jobs.management.commands.jobs import queue_lengths  # noqa: F401  (every priority level, any broker)
from jobs.models import BackgroundJob
from notifications.models import Delivery
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.workers import wait_for


@pytest.fixture
def gateway():
    with FakeSmsGateway(seed=1) as server:
        yield server


def gateway_env(gateway, **extra):
    """Worker environment for sending through the fake gateway."""
    env = {
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": gateway.url,
        "SMS_GATEWAY_API_KEY": gateway.api_key,
        "SMS_GATEWAY_TIMEOUT": "1",
        "BULK_CHUNK_SIZE": "50",
        "BULK_SEND_CONCURRENCY": "4",
        "BULK_RETRY_BACKOFF": "1",
        "JOBS_PROGRESS_INTERVAL": "0.2",
    }
    return {**env, **{k: str(v) for k, v in extra.items()}}


def numbers(n, start=0):
    return [f"+98912{i:07d}" for i in range(start, start + n)]


def finished(job):
    job.refresh_from_db()
    return job.status in BackgroundJob.FINISHED


def wait_finished(job, timeout=60):
    wait_for(lambda: finished(job), timeout=timeout, interval=0.1, message=f"job {job.pk} to finish")
    return job


def assert_counters_match_ledger(job, campaign):
    """A finished send's counters equal its ledger, and no row is left queued or sending."""
    job.refresh_from_db()
    sent, failed = campaign.deliveries.counts()
    assert (job.processed_items, job.success_count, job.failed_count) == (sent + failed, sent, failed)
    assert not campaign.deliveries.exclude(status__in=Delivery.FINAL).exists()
