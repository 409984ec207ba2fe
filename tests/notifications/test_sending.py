"""The ledger functions the tasks call, run in-process with the locmem backend."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app
from jobs import shutdown
from jobs.models import BackgroundJob
from jobs.tracking import JobTracker, finish_job, retry_job
from notifications.audience import resolve_audience
from notifications.backends import locmem
from notifications.campaigns import start_campaign
from notifications.demo import link_tags
from notifications.models import Contact, Delivery
from notifications.sending import TimeSlice, build_ledger, plan_campaign, send_chunk, send_ranges
from notifications.tasks import SMS_CHUNK, settle_campaign
from tests.conftest import purge_all_queues

from .conftest import numbers, queue_lengths

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(alice, settings):
    settings.SMS_BACKEND = "locmem"
    locmem.outbox.clear()
    return start_campaign(alice, resolve_audience("sms", recipients=numbers(10)), body="Hi")


def run_chunk(campaign, **kwargs):
    """Run one chunk in-process for the campaign's (running) job; returns the result and the job row."""
    tracker = JobTracker(campaign.job_id, interval=0)
    tracker.begin()
    ids = campaign.deliveries.values_list("pk", flat=True)
    return send_chunk(tracker, min(ids), max(ids), **kwargs), tracker.load()


def test_ledger_is_built_once_even_when_rebuilt(campaign):
    assert build_ledger(campaign) == 10
    campaign.ledger_ready = False
    assert build_ledger(campaign) == 10
    keys = set(campaign.deliveries.values_list("idempotency_key", flat=True))
    assert len(keys) == 10
    assert campaign.deliveries.get(recipient=numbers(1)[0]).idempotency_key == campaign.idempotency_key(numbers(1)[0])


def test_tag_ledger_leaves_out_opted_out_contacts(alice, settings):
    Contact.objects.bulk_create([Contact(phone=p) for p in numbers(4)])
    link_tags({c.pk: ["vip"] for c in Contact.objects.all()})
    c = start_campaign(alice, resolve_audience("sms", tag="vip"), body="Hi")
    Contact.objects.filter(phone=numbers(1)[0]).update(opted_out=True)  # opts out after the trigger

    assert build_ledger(c) == 3


def test_a_small_tag_joins_the_high_lane_once_its_size_is_known(alice, settings):
    # given a tag send (its size unknown at the trigger: the bulk lane) that turns out small
    settings.SMS_BACKEND = "locmem"
    Contact.objects.bulk_create([Contact(phone=p) for p in numbers(3)])
    link_tags({c.pk: ["vip"] for c in Contact.objects.all()})
    job = start_campaign(alice, resolve_audience("sms", tag="vip"), body="Hi").job
    assert (job.priority, job.queue) == (settings.JOBS_PRIORITY_BULK, "notifications")

    # when its planner runs
    tracker = JobTracker(job.pk, interval=0)
    tracker.begin(task_id=job.task_id)
    plan_campaign(tracker, "notifications.send_sms_chunk")

    # then the job (a resume, its chunks) goes on in the high lane: its priority and its own queue
    job.refresh_from_db()
    assert (job.priority, job.queue) == (settings.JOBS_PRIORITY_HIGH, "urgent")


def test_a_row_is_claimed_by_one_sender_only(campaign):
    build_ledger(campaign)
    ids = list(campaign.deliveries.values_list("pk", flat=True))

    first, second = Delivery.objects.claim(ids), Delivery.objects.claim(ids)

    assert len(first) == 10 and second == []
    assert campaign.deliveries.filter(status="sending", attempts=1).count() == 10


def test_chunk_sends_queued_rows_and_skips_final_ones(campaign):
    build_ledger(campaign)
    campaign.deliveries.filter(recipient=numbers(1)[0]).update(status="sent")

    result, job = run_chunk(campaign)

    assert (result.left, result.more) == (0, False)
    assert sorted(m.to for m in locmem.outbox) == numbers(9, start=1)
    assert (job.processed_items, job.success_count, job.failed_count) == (10, 10, 0)
    run_chunk(campaign)
    assert len(locmem.outbox) == 9  # a second run sends nothing


def test_rows_stuck_in_sending_are_failed_as_unknown_without_idempotency(campaign):
    build_ledger(campaign)
    Delivery.objects.claim(list(campaign.deliveries.values_list("pk", flat=True))[:3])

    assert campaign.deliveries.recover_interrupted(resend=False) == 3

    failed = campaign.deliveries.filter(status=Delivery.Status.FAILED)
    assert failed.count() == 3 and all("Outcome unknown" in e for e in failed.values_list("error", flat=True))
    run_chunk(campaign)
    assert len(locmem.outbox) == 7


def test_rows_stuck_in_sending_are_resent_with_their_key_when_the_provider_dedupes(campaign):
    build_ledger(campaign)
    Delivery.objects.claim(list(campaign.deliveries.values_list("pk", flat=True))[:3])

    assert campaign.deliveries.recover_interrupted(resend=True) == 3

    run_chunk(campaign)
    assert len(locmem.outbox) == 10
    assert {m.idempotency_key for m in locmem.outbox} == set(
        campaign.deliveries.values_list("idempotency_key", flat=True)
    )


@pytest.fixture
def broker():
    """The session's real broker, its queues empty before and after the test; `wait()` puts a
    message in the queue bulk chunks use, as another send waiting for a worker would."""

    class Broker:
        def wait(self):
            app.send_task("demo.noop", queue="notifications")

        def waiting(self):
            return sum(queue_lengths().values())

    purge_all_queues()
    yield Broker()
    purge_all_queues()


def test_chunk_out_of_time_hands_the_rest_over_without_sending_while_another_task_waits(campaign, broker):
    build_ledger(campaign)
    broker.wait()

    result, _ = run_chunk(campaign, time_slice=TimeSlice(0, 60))

    assert result.more is True
    assert locmem.outbox == []
    assert campaign.deliveries.filter(status="queued").count() == 10


def test_chunk_alone_on_its_worker_goes_on_past_its_slice_until_its_budget(campaign, broker):
    build_ledger(campaign)

    result, _ = run_chunk(campaign, time_slice=TimeSlice(0, 60))
    assert (result.more, len(locmem.outbox)) == (False, 10)

    campaign.deliveries.update(status="queued")
    result, _ = run_chunk(campaign, time_slice=TimeSlice(0, 0))
    assert result.more is True  # its budget is spent, waiting or not


@pytest.mark.parametrize("another_send_waits, sent, queued_after", [(False, 10, 0), (True, 3, 2)])
def test_a_chunk_takes_the_next_ranges_itself_only_while_no_other_task_waits(
    campaign, settings, broker, another_send_waits, sent, queued_after
):
    # given a ledger of 10 handed out in ranges of 3, the first range taken by this chunk
    settings.BULK_CHUNK_SIZE = 3
    build_ledger(campaign)
    campaign.rewind()
    first, last = campaign.next_range(3)
    tracker = JobTracker(campaign.job_id, interval=0)
    tracker.begin()
    if another_send_waits:
        broker.wait()

    # when it is done with its range
    assert send_ranges(tracker, SMS_CHUNK, first, last) == 0

    # then alone on its worker it sent every range; with a message waiting it handed the next
    # range to a new chunk message (in the send's lane), and the waiting one is still there
    assert (len(locmem.outbox), campaign.deliveries.filter(status="sent").count()) == (sent, sent)
    assert broker.waiting() == queued_after


def test_a_warm_shutdown_hands_the_rest_over_without_sending(campaign, monkeypatch):
    build_ledger(campaign)
    monkeypatch.setattr("jobs.shutdown._state", {**shutdown._state, "requested": True})

    result, job = run_chunk(campaign)

    assert result.more is True
    assert locmem.outbox == []
    assert job.status == BackgroundJob.Status.RUNNING  # handed over, not cancelled


def test_a_resumed_planner_recovers_only_rows_claimed_before_the_resume(campaign):
    build_ledger(campaign)
    ids = list(campaign.deliveries.values_list("pk", flat=True))
    Delivery.objects.claim(ids[:3])  # a dead worker's rows
    resumed_at = timezone.now()
    Delivery.objects.claim(ids[3:5])  # a live chunk's rows, claimed since

    assert campaign.deliveries.recover_interrupted(resend=True, claimed_before=resumed_at) == 3
    assert campaign.deliveries.filter(status="sending").count() == 2


def test_a_cancelled_campaign_leaves_no_row_queued_and_counts_equal_the_ledger(
    campaign, settings, django_capture_on_commit_callbacks, monkeypatch
):
    # given a running send: 3 sent, 1 claimed by a dead worker long ago, 1 in flight now, 5 queued
    settings.JOBS_STUCK_AFTER = 20
    later = []
    monkeypatch.setattr("notifications.tasks.settle_campaign.apply_async", lambda **kw: later.append(kw))
    build_ledger(campaign)
    JobTracker(campaign.job_id).begin()
    ids = list(campaign.deliveries.values_list("pk", flat=True))
    campaign.deliveries.filter(pk__in=ids[:3]).update(status="sent")
    Delivery.objects.claim(ids[3:5])
    campaign.deliveries.filter(pk=ids[3]).update(updated_at=timezone.now() - timedelta(minutes=5))

    # when the job is cancelled
    with django_capture_on_commit_callbacks(execute=True):
        assert finish_job(campaign.job_id, BackgroundJob.Status.CANCELLED)

    # then what was not sent says so, the send in flight is left to its chunk (settled later)
    rows = {d.pk: d for d in campaign.deliveries.all()}
    not_sent = [pk for pk, d in rows.items() if d.status == "failed"]
    assert sorted(not_sent) == sorted([ids[3], *ids[5:]])
    assert {rows[pk].error for pk in not_sent} == {"Not sent: the job was cancelled."}
    assert rows[ids[4]].status == "sending"
    assert later == [{"args": [campaign.job_id], "countdown": 21}]
    job = BackgroundJob.objects.get(pk=campaign.job_id)
    assert (job.status, job.success_count, job.failed_count, job.processed_items) == (4, 3, 6, 9)
    # and once the chunk in flight records its send, the last recount includes it
    campaign.deliveries.filter(pk=ids[4]).update(status="sent")
    settle_campaign(campaign.job_id)
    job.refresh_from_db()
    assert (job.status, job.success_count, job.failed_count) == (BackgroundJob.Status.CANCELLED, 4, 6)


def test_retrying_a_cancelled_campaign_sends_what_was_never_tried(campaign, django_capture_on_commit_callbacks):
    # given a campaign cancelled after 4 of its 10 messages
    build_ledger(campaign)
    run_chunk(campaign)
    locmem.outbox.clear()
    ids = list(campaign.deliveries.order_by("pk").values_list("pk", flat=True))
    campaign.deliveries.filter(pk__in=ids[4:]).update(status="queued", attempts=0)
    with django_capture_on_commit_callbacks(execute=True):
        finish_job(campaign.job_id, BackgroundJob.Status.CANCELLED)
    assert campaign.deliveries.filter(status="failed").count() == 6

    # when the owner retries the job
    with django_capture_on_commit_callbacks():
        retry = retry_job(BackgroundJob.objects.get(pk=campaign.job_id))
    tracker = JobTracker(retry.pk, interval=0)
    tracker.begin(task_id=retry.task_id)
    plan_campaign(tracker, "notifications.send_sms_chunk")
    result = send_chunk(tracker, ids[0], ids[-1])

    # then the six never tried go out, the four sent are not sent again
    assert result.left == 0
    assert sorted(m.to for m in locmem.outbox) == sorted(
        campaign.deliveries.filter(pk__in=ids[4:]).values_list("recipient", flat=True)
    )
    assert BackgroundJob.objects.get(pk=retry.pk).success_count == 10
