"""An idempotency key returns the owner's unfinished job instead of starting a second one."""

import pytest

from crm.tasks import count_items
from jobs.models import BackgroundJob
from jobs.tracking import cancel_job, start_job

pytestmark = pytest.mark.django_db


def start(user, key, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as enqueued:
        job = start_job(count_items, user=user, job_type=0, title="count", idempotency_key=key)
    return job, len(enqueued)


def test_same_key_returns_the_same_job_and_enqueues_once(alice, django_capture_on_commit_callbacks):
    first, sent_first = start(alice, "campaign-7", django_capture_on_commit_callbacks)
    second, sent_second = start(alice, "campaign-7", django_capture_on_commit_callbacks)

    assert second.pk == first.pk
    assert (sent_first, sent_second) == (1, 0)
    assert BackgroundJob.objects.count() == 1


def test_another_owner_with_the_same_key_gets_their_own_job(alice, bob, django_capture_on_commit_callbacks):
    alices, _ = start(alice, "campaign-7", django_capture_on_commit_callbacks)
    bobs, _ = start(bob, "campaign-7", django_capture_on_commit_callbacks)

    assert alices.pk != bobs.pk


def test_a_finished_job_frees_its_key(alice, django_capture_on_commit_callbacks):
    first, _ = start(alice, "campaign-7", django_capture_on_commit_callbacks)
    cancel_job(first)

    again, sent = start(alice, "campaign-7", django_capture_on_commit_callbacks)

    assert again.pk != first.pk
    assert sent == 1


def test_no_key_starts_a_new_job_each_time(alice, django_capture_on_commit_callbacks):
    first, _ = start(alice, "", django_capture_on_commit_callbacks)
    second, _ = start(alice, "", django_capture_on_commit_callbacks)

    assert first.pk != second.pk
