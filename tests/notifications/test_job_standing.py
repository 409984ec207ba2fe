"""Where each job stands, in the job JSON: queuePosition while Pending, ratePerSecond and
etaSeconds while Running (real worker, broker and fake gateway)."""

import pytest

from jobs.models import BackgroundJob
from jobs.tracking import JobTracker
from notifications.audience import resolve_audience
from notifications.campaigns import start_campaign
from tests.workers import wait_for

from .conftest import finished, gateway_env, numbers, wait_finished

pytestmark = pytest.mark.django_db(transaction=True)
Status = BackgroundJob.Status


def start_sms(user, recipients, **kwargs):
    return start_campaign(user, resolve_audience("sms", recipients=recipients), body="Hello", **kwargs)


def job_item(client, job):
    return client.get(f"/jobs/api/{job.pk}/").json()["job"]


def test_queue_position_counts_down(worker_factory, gateway, purge_queues, alice, alice_client, bob):
    # given three small sends waiting (no worker yet), bob's first; a bulk send in another lane
    jobs = [start_sms(user, numbers(3, start=100 * i)).job for i, user in enumerate([bob, alice, alice])]
    bulk = start_sms(bob, numbers(150, start=1000)).job

    # then each says how many are ahead of it in its lane (whoever's they are)
    assert [job_item(alice_client, job)["queuePosition"] for job in jobs[1:]] == [1, 2]
    assert bulk.queue_position() == 0  # the bulk lane is empty ahead of it

    # when the jobs ahead start, one after the other (as a worker takes them: JobTracker.begin)
    JobTracker(jobs[0].pk).begin()
    assert job_item(alice_client, jobs[2])["queuePosition"] == 1
    JobTracker(jobs[1].pk).begin()
    assert job_item(alice_client, jobs[2])["queuePosition"] == 0

    # then once a worker runs them all, no job has a position any more
    worker_factory(env=gateway_env(gateway))
    for job in [*jobs, bulk]:
        wait_finished(job)
        assert job.status == Status.COMPLETED
    assert job_item(alice_client, jobs[2])["queuePosition"] is None


def test_eta_appears_and_shrinks(worker_factory, gateway, alice, alice_client):
    # given a send of 300 under a 50/s provider limit (about 6 s)
    worker_factory(env=gateway_env(gateway, SMS_RATE_LIMIT="50/second"))

    # when it runs
    campaign = start_sms(alice, numbers(300))
    job = campaign.job
    samples = []

    def done():
        item = job_item(alice_client, job)
        if item["etaSeconds"] is not None:
            samples.append((item["processedItems"], item["etaSeconds"], item["ratePerSecond"]))
        return finished(job)

    wait_for(done, timeout=60, interval=0.2, message="the send to finish")

    # then an ETA appeared while it ran, and shrank as it went on
    assert job.status == Status.COMPLETED
    assert len(samples) >= 3
    first, last = samples[0], samples[-1]
    assert last[0] > first[0] and last[1] < first[1]
    # the rate is the provider's, give or take (never above its limit for long)
    assert all(0 < rate <= 60 for _, _, rate in samples)
    # and a finished job has neither
    item = job_item(alice_client, job)
    assert (item["etaSeconds"], item["ratePerSecond"], item["queuePosition"]) == (None, None, None)
