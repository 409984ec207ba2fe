"""CRM pages of the jobs app: the user's jobs (history + detail, cancel, retry).

Jobs are shown through the same dictionaries the JSON API answers with, so the
pages, the header widget and the API agree on texts, dates and badges."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.throttling import throttle_job_starts

from .api import active_etag, owned_job
from .models import BackgroundJob
from .tracking import JobError, cancel_job, retry_job
from .ui_payload import job_payload, job_payloads

Status = BackgroundJob.Status
JobType = BackgroundJob.JobType
PAGE_SIZE = 20
WIDGET_RECENT = 5


def widget_data(request):
    """The header widget's first render: what /jobs/api/active/ (with its ETag) and
    /jobs/api/history/?take=5 would answer for this user right now."""
    etag = active_etag(request.user)  # before the rows: a change in between only costs a 200
    mine = BackgroundJob.objects.owned_by(request.user)
    return {
        "etag": etag,
        "active": {"success": True, "jobs": job_payloads(mine.active())},
        "recent": {"success": True, "jobs": job_payloads(mine[:WIDGET_RECENT])},
    }


def _int_choice(value, choices):
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if value in choices.values else None


@login_required
def job_list(request):
    jobs = BackgroundJob.objects.owned_by(request.user)
    status = _int_choice(request.GET.get("status"), Status)
    job_type = _int_choice(request.GET.get("type"), JobType)
    if status is not None:
        jobs = jobs.filter(status=status)
    if job_type is not None:
        jobs = jobs.filter(job_type=job_type)
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "jobs/job_list.html",
        {
            "page": page,
            "jobs": job_payloads(page.object_list),
            "statuses": Status.choices,
            "types": JobType.choices,
            "selected_status": status,
            "selected_type": job_type,
            "query": query.urlencode(),
        },
    )


@login_required
def job_detail(request, pk):
    job = owned_job(request, pk)
    return render(
        request,
        "jobs/job_detail.html",
        {
            "job": job,
            "data": job_payload(job),
            "can_cancel": job.is_active,
            "can_retry": job.status in BackgroundJob.RETRYABLE,
        },
    )


@login_required
@require_POST
def job_cancel(request, pk):
    job = owned_job(request, pk)
    if cancel_job(job):
        messages.success(request, _("Cancellation requested: the job stops at its next check."))
    else:
        messages.warning(request, _("This job has already finished."))
    return redirect("job-detail", pk=job.pk)


@login_required
@require_POST
@throttle_job_starts
def job_retry(request, pk):
    job = owned_job(request, pk)
    try:
        new_job = retry_job(job)
    except JobError as exc:
        messages.error(request, str(exc))
        return redirect("job-detail", pk=job.pk)
    messages.success(request, _("The job was started again."))
    return redirect("job-detail", pk=new_job.pk)
