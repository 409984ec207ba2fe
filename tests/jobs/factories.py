import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from jobs.models import BackgroundJob


class BackgroundJobFactory(factory.django.DjangoModelFactory):
    """A job row as the tracking API would have left it (tests set the state they need)."""

    class Meta:
        model = BackgroundJob

    job_type = BackgroundJob.JobType.SMS
    title = factory.Sequence(lambda n: f"Send SMS to {n + 1} numbers")
    description = "Message text..."
    task_name = "demo.count_items"
    task_kwargs = factory.LazyFunction(lambda: {"items": 3})
    task_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    queue = "maintenance"

    class Params:
        running = factory.Trait(
            status=BackgroundJob.Status.RUNNING,
            started_at=factory.LazyFunction(timezone.now),
            heartbeat_at=factory.LazyFunction(timezone.now),
            attempts=1,
        )
        completed = factory.Trait(
            status=BackgroundJob.Status.COMPLETED,
            started_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5, seconds=23)),
            completed_at=factory.LazyFunction(timezone.now),
            progress=100,
            attempts=1,
        )
        failed = factory.Trait(
            status=BackgroundJob.Status.FAILED,
            started_at=factory.LazyFunction(timezone.now),
            completed_at=factory.LazyFunction(timezone.now),
            error_message="Item 3 could not be processed.",
            attempts=1,
        )
        cancelled = factory.Trait(
            status=BackgroundJob.Status.CANCELLED,
            completed_at=factory.LazyFunction(timezone.now),
            cancel_requested=True,
        )
