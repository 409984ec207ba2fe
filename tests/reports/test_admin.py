"""The Report admin: list, filters and actions that report counts."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(browser, admin_user):
    return browser(admin_user)


def report(owner, days):
    r = Report.objects.create(
        kind="jobs", format="csv", owner=owner, expires_at=timezone.now() + dt.timedelta(days=days)
    )
    r.file.save("jobs.csv", ContentFile(b"x"))
    return r


def test_changelist_and_change_page_render(admin_client_, alice):
    r = report(alice, 1)

    assert admin_client_.get("/admin/reports/report/?kind__exact=jobs").status_code == 200
    assert admin_client_.get(f"/admin/reports/report/{r.pk}/change/").status_code == 200


def test_expire_now_action_reports_its_count(admin_client_, alice, bob):
    a, b = report(alice, 1), report(bob, 1)

    response = admin_client_.post(
        "/admin/reports/report/", {"action": "expire_now", "_selected_action": [a.pk, b.pk]}, follow=True
    )

    assert "2 reports expired." in response.content.decode()
    assert all(r.is_expired for r in Report.objects.all())
