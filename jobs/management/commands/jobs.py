"""`manage.py jobs list|show ID|cancel ID|stats`: background jobs for ops without a browser."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from config.celery import app
from jobs.formatting import format_datetime, format_duration
from jobs.maintenance import queue_lengths
from jobs.models import BackgroundJob
from jobs.tracking import cancel_job

Status = BackgroundJob.Status


class Command(BaseCommand):
    help = "List, inspect and cancel background jobs; show queue statistics."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="latest jobs, newest first")
        listing.add_argument("--status", choices=[s.label.lower() for s in Status], help="only jobs in this status")
        listing.add_argument("--active", action="store_true", help="only pending and running jobs")
        listing.add_argument("--user", help="only jobs of this username")
        listing.add_argument("--limit", type=int, default=20)
        sub.add_parser("show", help="every field of one job").add_argument("id", type=int)
        sub.add_parser("cancel", help="cancel a pending or running job").add_argument("id", type=int)
        stats = sub.add_parser("stats", help="jobs per status; per queue: waiting, active, failed in the last hour")
        stats.add_argument("--timeout", type=float, default=1.0, help="seconds to wait for workers' replies")

    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(**options)

    def do_list(self, status=None, active=False, user=None, limit=20, **_):
        jobs = BackgroundJob.objects.select_related("created_by")
        if status:
            jobs = jobs.filter(status=next(s for s in Status if s.label.lower() == status))
        if active:
            jobs = jobs.active()
        if user:
            jobs = jobs.filter(created_by__username=user)
        self.stdout.write(
            f"{'ID':>7}  {'STATUS':<10} {'PROGRESS':>8} {'DONE/TOTAL':>13}  {'OWNER':<12} {'CREATED':<16}  TITLE"
        )
        for job in jobs[:limit]:
            self.stdout.write(
                f"{job.pk:>7}  {Status(job.status).label:<10} {job.progress:>7}% "
                f"{f'{job.processed_items}/{job.total_items}':>13}  {job.created_by.get_username()[:12]:<12} "
                f"{format_datetime(job.created_at):<16}  {job.title}"
            )

    def do_show(self, id, **_):
        job = self._get(id)
        rows = [
            ("id", job.pk),
            ("title", job.title),
            ("description", job.description),
            ("type", f"{job.job_type} ({job.get_job_type_display()})"),
            ("status", f"{job.status} ({job.get_status_display()})"),
            ("owner", job.created_by.get_username()),
            ("progress", f"{job.progress}%"),
            ("items", f"{job.processed_items}/{job.total_items} ({job.success_count} ok, {job.failed_count} failed)"),
            ("error", job.error_message or "-"),
            ("created", format_datetime(job.created_at)),
            ("started", format_datetime(job.started_at) or "-"),
            ("completed", format_datetime(job.completed_at) or "-"),
            ("heartbeat", format_datetime(job.heartbeat_at) or "-"),
            ("duration", format_duration(job.duration) or "-"),
            ("task", f"{job.task_name} {job.task_kwargs}"),
            ("task id", job.task_id),
            ("queue", job.queue),
            ("attempts", job.attempts),
            ("cancel requested", job.cancel_requested),
            ("idempotency key", job.idempotency_key or "-"),
            ("retry of", job.retry_of_id or "-"),
            ("flower", job.flower_url),
        ]
        for label, value in rows:
            self.stdout.write(f"{label + ':':<18} {value}")

    def do_cancel(self, id, **_):
        job = self._get(id)
        if not cancel_job(job):
            raise CommandError(f"job {id} has already finished ({job.get_status_display()})")
        job.refresh_from_db()
        if job.status == Status.CANCELLED:
            self.stdout.write(self.style.SUCCESS(f"job {id} cancelled"))
        else:
            self.stdout.write(self.style.SUCCESS(f"job {id} asked to stop; it stops at its next check"))

    def do_stats(self, timeout=1.0, **_):
        per_status = dict(BackgroundJob.objects.values_list("status").annotate(n=Count("id")).order_by())
        self.stdout.write("Jobs per status:")
        for status in Status:
            self.stdout.write(f"  {status.label:<10} {per_status.get(status.value, 0):>8}")

        waiting = queue_lengths()
        reachable = any(n is not None for n in waiting.values())
        active, workers = active_per_queue(timeout) if reachable else ({}, 0)
        hour_ago = timezone.now() - timedelta(hours=1)
        failed = dict(
            BackgroundJob.objects.filter(status=Status.FAILED, completed_at__gte=hour_ago)
            .values_list("queue")
            .annotate(n=Count("id"))
            .order_by()
        )
        self.stdout.write("\nQueues:")
        self.stdout.write(f"  {'QUEUE':<14} {'WAITING':>8} {'ACTIVE':>8} {'FAILED 1H':>10}")
        for name in sorted(set(waiting) | set(active) | set(failed)):
            self.stdout.write(
                f"  {name or '-':<14} {_n(waiting.get(name)):>8} {_n(active.get(name, 0) if reachable else None):>8} {failed.get(name, 0):>10}"
            )
        if not reachable:
            self.stdout.write(self.style.ERROR("\nBroker unreachable: waiting and active counts unknown."))
        else:
            self.stdout.write(f"\nWorkers answering: {workers}" + ("" if workers else f" (none within {timeout}s)"))

    def _get(self, pk):
        try:
            return BackgroundJob.objects.select_related("created_by").get(pk=pk)
        except BackgroundJob.DoesNotExist:
            raise CommandError(f"no job {pk}") from None


def _n(value):
    return "?" if value is None else value


def active_per_queue(timeout=1.0) -> tuple[dict, int]:
    """Tasks running right now on live workers, per queue they came from; and how
    many workers answered."""
    counts = {}
    try:
        replies = app.control.inspect(timeout=timeout).active() or {}
    except Exception:
        return counts, 0
    for tasks in replies.values():
        for task in tasks or []:
            queue = (task.get("delivery_info") or {}).get("routing_key")
            counts[queue] = counts.get(queue, 0) + 1
    return counts, len(replies)
