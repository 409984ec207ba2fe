"""Worker logs: a job's lines carry its id, the console SMS backend writes one INFO
line per message, and LOG_FORMAT=json writes JSON objects."""

import json
import logging
import re

import pytest

from config.logs import current_job
from jobs.models import BackgroundJob
from jobs.tracking import start_job
from notifications.audience import resolve_audience
from notifications.backends import SmsMessage, get_sms_backend
from notifications.campaigns import start_campaign
from tests.notifications.conftest import numbers, wait_finished

pytestmark = pytest.mark.django_db(transaction=True)


def test_console_sms_backend_logs_one_info_line_per_message(caplog):
    backend = get_sms_backend("console")

    with caplog.at_level(logging.INFO, logger="notifications.backends.console"):
        backend.send(SmsMessage(to="+989120000001", body="Hello\nsecond line"))
        backend.send(SmsMessage(to="+989120000002", body="Bye"))

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", "SMS to +989120000001: Hello\\nsecond line"),
        ("INFO", "SMS to +989120000002: Bye"),
    ]


def test_a_bulk_send_logs_each_sms_once_with_its_job_id(worker_factory, alice):
    # given a worker with the console backend, sending on several threads
    worker = worker_factory(env={"SMS_BACKEND": "console", "BULK_CHUNK_SIZE": "10", "BULK_SEND_CONCURRENCY": "4"})

    # when 25 numbers get an SMS, and a second job runs beside it
    campaign = start_campaign(alice, resolve_audience("sms", recipients=numbers(25)), body="Hi\nthere")
    other = start_job("demo.count_items", user=alice, job_type=BackgroundJob.JobType.EXPORT, title="n")
    wait_finished(campaign.job)
    wait_finished(other)

    # then one INFO line per message, each tagged with the send's job id
    log = worker.log()
    sms_lines = [line for line in log.splitlines() if "SMS to +98912" in line]
    assert len(sms_lines) == 25
    assert all(" INFO " in line and f"job={campaign.job.pk} " in line for line in sms_lines)
    assert sorted(re.search(r"SMS to (\+\d+)", line)[1] for line in sms_lines) == numbers(25)
    assert "there" not in log.replace("Hi\\nthere", "")  # the body's second line is not a line of its own
    # and the tasks' own lines (Celery's "succeeded") carry the id of the job they worked for
    succeeded = [line for line in log.splitlines() if "succeeded in" in line]
    assert any(f"job={other.pk} " in line and "count_items" in line for line in succeeded)
    assert all(re.search(r"job=\d+ ", line) for line in succeeded if "count_items" in line or "send_sms" in line)


def test_json_log_lines_carry_the_job_id(capsys):
    from logging.config import dictConfig

    from config import logs

    dictConfig(logs.config("INFO", "json"))
    token = current_job.set(42)
    try:
        logging.getLogger("test.json").info("hello %s", "there")
    finally:
        current_job.reset(token)
        from django.conf import settings

        dictConfig(settings.LOGGING)

    record = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert record["job_id"] == 42 and record["message"] == "hello there" and record["level"] == "INFO"
