import json
import re

import pytest
from django.utils import timezone

from jobs.models import BackgroundJob


@pytest.fixture
def make_job():
    """A job row in a given state (test data; app code changes state through jobs.tracking)."""

    def make(user, status=BackgroundJob.Status.RUNNING, job_type=BackgroundJob.JobType.SMS, **fields):
        now = timezone.now()
        defaults = {
            "title": f"Job of {user.username}",
            "task_name": "demo.count_items",
            "task_id": f"task-{BackgroundJob.objects.count() + 1}",
            "total_items": 150,
            "processed_items": 97,
            "success_count": 95,
            "failed_count": 2,
            "progress": 65,
            "started_at": now if status != BackgroundJob.Status.PENDING else None,
            "completed_at": now if status in BackgroundJob.FINISHED else None,
        }
        defaults.update(fields)
        return BackgroundJob.objects.create(created_by=user, status=status, job_type=job_type, **defaults)

    return make


def embedded_widget_data(html: str) -> dict:
    """The JSON the page embeds for the header jobs widget."""
    match = re.search(r'<script id="headerJobsData" type="application/json">(.*?)</script>', html, re.S)
    assert match, "page has no embedded widget data"
    return json.loads(match.group(1))
