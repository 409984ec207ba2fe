import datetime as dt
import importlib
import os
import tempfile

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from jobs.models import BackgroundJob
from notifications.models import Campaign, Contact, Delivery, Tag
from tests.reports.helpers import local


@pytest.fixture(scope="session", autouse=True)
def media_root():
    """Report files of this session in a temporary MEDIA_ROOT, shared with the workers (via env)."""
    path = tempfile.mkdtemp(prefix="test-media-")
    os.environ["MEDIA_ROOT"] = path
    with override_settings(MEDIA_ROOT=path):
        yield path


def create_schedules():
    """Run the data migration's function again (transactional tests flush its rows)."""
    from django.apps import apps

    migration = importlib.import_module("reports.migrations.0002_periodic_tasks")
    migration.create_schedules(apps, None)


@pytest.fixture
def schedules(db):
    create_schedules()


@pytest.fixture
def browser():
    """A Django test client logged in as the given user (session auth, like the CRM pages and admin)."""

    def login(user):
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "root-password")


@pytest.fixture
def contacts(db):
    """Seven contacts, some tagged vip/lead, some inactive or opted out."""
    vip, lead = Tag.objects.create(name="vip"), Tag.objects.create(name="lead")
    rows = [
        ("Ali", "+989121000001", "ali@example.com", True, False, [vip]),
        ("Sara", "+989121000002", "", True, False, [vip, lead]),
        ("Reza", "+989121000003", "reza@example.com", False, False, [vip]),
        ("Mina", "", "mina@example.com", True, True, [lead]),
        ("Omid", "+989121000005", "", True, False, []),
        ("نرگس", "+989121000006", "narges@example.com", True, False, [vip]),
        ("=cmd|' /C calc'!A0", "+989121000007", "", True, False, []),
    ]
    made = []
    for name, phone, email, active, opted_out, tags in rows:
        contact = Contact.objects.create(name=name, phone=phone, email=email, is_active=active, opted_out=opted_out)
        contact.tags.set(tags)
        made.append(contact)
    return made


@pytest.fixture
def messaging_data(alice):
    """Campaigns on 2026-01-10 and 2026-01-11 (and one outside the range) with their deliveries."""

    def campaign(day, channel, statuses, hour=12):
        c = Campaign.objects.create(channel=channel, body="hello", owner=alice)
        Campaign.objects.filter(pk=c.pk).update(created_at=local(day, hour))
        for i, (status, error) in enumerate(statuses):
            Delivery.objects.create(
                campaign=c, recipient=f"r{c.pk}-{i}", status=status, error=error, idempotency_key=f"{c.pk}-{i}"
            )
        return c

    campaign("2026-01-10", "sms", [("sent", ""), ("sent", ""), ("failed", "timeout")])
    campaign("2026-01-10", "sms", [("failed", "timeout"), ("failed", "invalid number")], hour=23)
    campaign("2026-01-10", "email", [("sent", ""), ("queued", "")], hour=0)
    campaign("2026-01-11", "sms", [("sent", "")])
    campaign("2026-01-11", "email", [])
    campaign("2026-01-12", "sms", [("sent", "")])  # outside the range


@pytest.fixture
def jobs_data(alice):
    """Background jobs created on 2026-01-10 with known durations."""

    def job(job_type, status, seconds=None, day="2026-01-10"):
        j = BackgroundJob.objects.create(job_type=job_type, title="t", status=status, created_by=alice, task_name="x")
        started = local(day, 10)
        fields = {"created_at": started}
        if seconds is not None:
            fields.update(started_at=started, completed_at=started + dt.timedelta(seconds=seconds))
        BackgroundJob.objects.filter(pk=j.pk).update(**fields)

    T, S = BackgroundJob.JobType, BackgroundJob.Status
    job(T.SMS, S.COMPLETED, 10)
    job(T.SMS, S.COMPLETED, 20)
    job(T.SMS, S.FAILED, 5)
    job(T.EXPORT, S.COMPLETED, 3)
    job(T.EXPORT, S.CANCELLED)
    job(T.SMS, S.COMPLETED, 99, day="2026-01-12")  # outside the range
