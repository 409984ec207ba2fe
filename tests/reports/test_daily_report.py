"""The beat-scheduled daily report, run "now" from the PeriodicTask admin, emails
staff the previous day's messaging and jobs reports as XLSX attachments."""

import datetime as dt
import email
import email.policy
import json
import threading

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.celery import app
from notifications.models import Campaign, Delivery
from reports.models import Report
from tests.reports.helpers import local, read_xlsx_bytes
from tests.workers import free_port, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Inbox:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(
                (envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default))
            )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def mail_worker(worker_factory, smtp):
    controller, _ = smtp
    return worker_factory(queues="reports", concurrency=1, env={"EMAIL_URL": f"smtp://127.0.0.1:{controller.port}"})


@pytest.mark.parametrize("via", ["admin", "beat"])
def test_daily_report_run_now_emails_staff_with_attachments(
    mail_worker, smtp, schedules, browser, admin_user, staff, alice, via
):
    # given: yesterday's campaign and the migration's schedule
    _, inbox = smtp
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    campaign = Campaign.objects.create(channel="sms", body="hi", owner=alice)
    Campaign.objects.filter(pk=campaign.pk).update(created_at=local(yesterday.isoformat(), 9))
    Delivery.objects.create(campaign=campaign, recipient="+989121234567", status="sent", idempotency_key="k1")
    Delivery.objects.create(
        campaign=campaign, recipient="+989121234568", status="failed", error="busy", idempotency_key="k2"
    )
    task = PeriodicTask.objects.get(name="reports: daily report")
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_month) == ("0", "0", "*")
    assert task.task == "reports.send_daily_report" and task.enabled and task.priority == 0

    # when: a staff admin runs it now, or beat sends it (same task, queue and low priority)
    if via == "admin":
        response = browser(admin_user).post(
            "/admin/django_celery_beat/periodictask/",
            {"action": "run_tasks", "_selected_action": [task.pk]},
            follow=True,
        )
        assert response.status_code == 200
        assert "1 task was successfully run" in response.content.decode()
    else:
        app.send_task(
            task.task,
            args=json.loads(task.args),
            kwargs=json.loads(task.kwargs),
            queue=task.queue,
            priority=task.priority,
        )

    # then: one email to every staff user with an address, both reports attached
    wait_for(lambda: inbox.messages, timeout=60, message="the daily report email")
    rcpt, message = inbox.messages[0]
    assert sorted(rcpt) == ["root@example.com", "staff@example.com"]
    assert yesterday.isoformat() in message["Subject"]
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    assert sorted(attachments) == [f"jobs-{yesterday}.xlsx", f"messaging-{yesterday}.xlsx"]
    assert all(part.get_content_type() == XLSX_MIME for part in attachments.values())
    sheets = read_xlsx_bytes(attachments[f"messaging-{yesterday}.xlsx"].get_content())
    assert sheets["Per day"][1:] == [[yesterday.isoformat(), "sms", "1", "2", "1", "1", "busy (1)"]]
    assert list(read_xlsx_bytes(attachments[f"jobs-{yesterday}.xlsx"].get_content())) == ["Jobs"]
    # kept as reports of the first superuser, downloadable until they expire
    kept = Report.objects.filter(owner=admin_user, parameters={"from": str(yesterday), "to": str(yesterday)})
    assert sorted(kept.values_list("kind", flat=True)) == ["jobs", "messaging"]
    assert all(r.is_ready for r in kept)
