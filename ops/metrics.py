"""Prometheus metrics of the platform, read when scraped (GET /metrics, ops/views.py).

Everything comes from shared state, never from one process's memory, so any web
process answers for the whole deployment (workers on other hosts included):
- jobs by type and status, and job durations: from the database. Durations are a
  gauge histogram of the jobs finished in the last METRICS_DURATION_WINDOW seconds
  (bucket counts computed by one SQL query), not a worker-side histogram: that would
  need prometheus_client's multiprocess files on a disk every worker and web process
  share, which workers on other hosts do not;
- queue depth (and, on Redis, the oldest message's age): from the broker (ops/broker.py);
- deliveries by outcome: the ledger's counts by channel and status;
- rate-limit waits and reaper outcomes: counters every process adds to in Redis
  (config/sharedstate.py).
A source that does not answer is left out of the scrape (logged); the rest is served.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeHistogramMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from config import sharedstate
from jobs.models import BackgroundJob
from notifications.models import Campaign, Delivery

from .broker import queue_stats

logger = logging.getLogger(__name__)
DURATION_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200)  # seconds
REAPER_OUTCOMES = ("resumed", "failed", "cancelled")


def _name(choice) -> str:
    return choice.name.lower()


class PlatformCollector(Collector):
    def collect(self):
        for source in (jobs_by_status, job_durations, queues, deliveries, shared_counters):
            try:
                yield from source()
            except Exception:
                logger.warning("metrics: %s failed", source.__name__, exc_info=True)


def jobs_by_status():
    counts = dict(
        ((t, s), n)
        for t, s, n in BackgroundJob.objects.order_by().values_list("job_type", "status").annotate(n=Count("pk"))
    )
    family = GaugeMetricFamily(
        "crm_jobs", "Background jobs in the database, by type and status.", labels=["type", "status"]
    )
    for job_type in BackgroundJob.JobType:
        for status in BackgroundJob.Status:
            family.add_metric([_name(job_type), _name(status)], counts.get((job_type.value, status.value), 0))
    yield family


def job_durations(window=None):
    window = settings.METRICS_DURATION_WINDOW if window is None else window
    since = timezone.now() - timedelta(seconds=window)
    duration = ExpressionWrapper(F("completed_at") - F("started_at"), output_field=DurationField())
    buckets = {f"le_{b}": Count("pk", filter=Q(duration__lte=timedelta(seconds=b))) for b in DURATION_BUCKETS}
    rows = (
        BackgroundJob.objects.filter(
            status__in=BackgroundJob.FINISHED, completed_at__gte=since, started_at__isnull=False
        )
        .order_by()
        .annotate(duration=duration)
        .values("job_type", "status")
        .annotate(count=Count("pk"), total=Sum("duration"), **buckets)
    )
    family = GaugeHistogramMetricFamily(
        "crm_job_duration_seconds",
        f"Start-to-finish seconds of the jobs finished in the last {window} seconds, by type and status.",
        labels=["type", "status"],
    )
    for row in rows:
        points = [(str(float(b)), row[f"le_{b}"]) for b in DURATION_BUCKETS] + [("+Inf", row["count"])]
        labels = [_name(BackgroundJob.JobType(row["job_type"])), _name(BackgroundJob.Status(row["status"]))]
        family.add_metric(labels, points, gsum_value=(row["total"] or timedelta()).total_seconds())
    yield family


def queues():
    stats = queue_stats()
    depth = GaugeMetricFamily("crm_queue_messages", "Messages waiting in each broker queue.", labels=["queue"])
    age = GaugeMetricFamily(
        "crm_queue_oldest_message_age_seconds",
        "Seconds the oldest waiting message of each queue has waited (Redis broker only; 0 when empty).",
        labels=["queue"],
    )
    for queue in stats:
        depth.add_metric([queue.name], queue.messages)
        if queue.oldest_age is not None:
            age.add_metric([queue.name], queue.oldest_age)
    yield depth
    yield age


def deliveries():
    rows = Delivery.objects.order_by().values_list("campaign__channel", "status").annotate(n=Count("pk"))
    counts = {(channel, status): n for channel, status, n in rows}
    family = GaugeMetricFamily(
        "crm_deliveries", "Delivery ledger rows by channel and status (outcome).", labels=["channel", "status"]
    )
    for channel in Campaign.Channel:
        for status in Delivery.Status:
            family.add_metric([channel.value, status.value], counts.get((channel.value, status.value), 0))
    yield family


def shared_counters():
    names = ["sms_rate_limit_wait_seconds"] + [f"reaper_{o}_jobs" for o in REAPER_OUTCOMES]
    values = sharedstate.counters(names)
    wait = CounterMetricFamily(
        "crm_sms_rate_limit_wait_seconds", "Seconds SMS senders waited for the provider's rate limit (all workers)."
    )
    wait.add_metric([], values["sms_rate_limit_wait_seconds"])
    yield wait
    reaper = CounterMetricFamily(
        "crm_reaper_jobs", "Stuck jobs the reaper settled, by outcome (resumed, failed, cancelled).", labels=["outcome"]
    )
    for outcome in REAPER_OUTCOMES:
        reaper.add_metric([outcome], values[f"reaper_{outcome}_jobs"])
    yield reaper
