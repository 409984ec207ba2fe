"""Transient errors (RetryableError) are retried per the task's policy, visibly."""

import pytest

from crm.tasks import count_items_flaky, count_items_flaky_no_delay
from jobs.models import BackgroundJob

from .states import run_to_the_end

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.queue]
Status = BackgroundJob.Status


def test_transient_error_is_retried_then_the_job_completes(worker, alice):
    # given a task whose first attempt hits a transient error
    job = run_to_the_end(count_items_flaky, alice, failing_attempts=1)

    # then the second attempt did the work
    assert job.status == Status.COMPLETED
    assert job.attempts == 2
    assert (job.processed_items, job.success_count) == (5, 5)
    assert job.error_message == ""


def test_persistent_error_fails_after_max_attempts_with_a_user_safe_message(worker, alice):
    # given a task that always hits a transient error (policy: 2 retries)
    job = run_to_the_end(count_items_flaky, alice, failing_attempts=99)

    # then it ran 1 + 2 times and failed with a message for users, not a traceback
    assert job.status == Status.FAILED
    assert job.attempts == count_items_flaky.max_retries + 1 == 3
    assert "gave up after several attempts" in job.error_message
    assert "Traceback" not in job.error_message and "RetryableError" not in job.error_message
    assert "unavailable" not in job.error_message  # the technical detail stays in the logs / TaskResult


def test_immediate_retries_each_find_the_job_pending(worker, alice):
    # given retries without countdown: each next attempt starts while the last one winds down
    job = run_to_the_end(count_items_flaky_no_delay, alice, failing_attempts=5)

    # then every attempt ran and the sixth completed the job
    assert job.status == Status.COMPLETED
    assert job.attempts == 6
    assert job.processed_items == 5
