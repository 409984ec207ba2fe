"""The jobs JSON API (DESIGN.md): the owner's active jobs, history, one job, cancel, retry.

Owner-only: another user's job is a 404 on every endpoint. Session auth (CSRF
enforced on POST) for the UI, token auth for scripts.
"""

import hashlib

from django.db.models import Count, Max, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from config.api import ApiView, ErrorResponseSerializer, InvalidRequest
from config.throttling import JobStartThrottle

from .models import BackgroundJob
from .serializers import (
    BackgroundJobSerializer,
    HistoryQuerySerializer,
    JobListResponseSerializer,
    JobResponseSerializer,
)
from .tracking import JobError, cancel_job, retry_job

TAGS = ["jobs"]
NOT_FOUND = OpenApiResponse(ErrorResponseSerializer, description="No such job among yours.")
FINISHED = OpenApiResponse(ErrorResponseSerializer, description="The job's state does not allow it (`errors.status`).")


def job_action_schema(summary, description, code=status.HTTP_200_OK):
    """The schema of a POST that acts on one of your jobs (cancel, retry): no body; the
    job in the answer, or a 400 when its state does not allow the action."""
    return extend_schema(
        tags=TAGS,
        summary=summary,
        description=description,
        request=None,
        responses={code: JobResponseSerializer, 400: FINISHED, 404: NOT_FOUND},
    )


def owned_job(request, pk) -> BackgroundJob:
    """The user's job `pk`, else a 404: another user's job is answered as if it did not exist."""
    return get_object_or_404(BackgroundJob.objects.owned_by(request.user), pk=pk)


def job_response(job, code=status.HTTP_200_OK):
    return Response({"success": True, "job": BackgroundJobSerializer(job).data}, status=code)


def active_etag(user) -> str:
    """A fingerprint of everything the active list shows, from one aggregate query:
    the owner's active rows (ids, states, counters, last write) and their newest
    finished change; plus language and time zone, which change the texts.
    The clock is not in it: a 304 keeps a running job's elapsed `duration` as of
    its last write (every counter flush and heartbeat is one)."""
    active = Q(status__in=BackgroundJob.ACTIVE)
    state = BackgroundJob.objects.owned_by(user).aggregate(
        count=Count("id", filter=active),
        ids=Sum("id", filter=active),
        statuses=Sum("status", filter=active),
        totals=Sum("total_items", filter=active),
        processed=Sum("processed_items", filter=active),
        success=Sum("success_count", filter=active),
        failed=Sum("failed_count", filter=active),
        progress=Sum("progress", filter=active),
        started=Max("started_at", filter=active),
        heartbeat=Max("heartbeat_at", filter=active),
        finished=Max("completed_at"),
    )
    key = repr((user.pk, sorted(state.items()), get_language(), timezone.get_current_timezone_name()))
    return f'"{hashlib.blake2b(key.encode(), digest_size=12).hexdigest()}"'


class ActiveJobsView(ApiView):
    @extend_schema(
        tags=TAGS,
        summary="Your pending and running jobs",
        description="Supports conditional GET: send the last ETag in If-None-Match to get a 304 while nothing changed.",
        responses={200: JobListResponseSerializer, 304: OpenApiResponse(description="Not modified.")},
    )
    def get(self, request):
        etag = active_etag(request.user)
        not_modified = get_conditional_response(request._request, etag=etag)
        if not_modified is None:
            jobs = BackgroundJob.objects.owned_by(request.user).active()
            response = Response({"success": True, "jobs": BackgroundJobSerializer(jobs, many=True).data})
        else:
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        response["ETag"] = etag
        # Stored by the browser but revalidated on every poll.
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ["Accept-Language", "Cookie", "Authorization"])
        return response


class JobHistoryView(ApiView):
    @extend_schema(
        tags=TAGS,
        summary="Your latest jobs, newest first",
        parameters=[HistoryQuerySerializer],
        responses={200: JobListResponseSerializer, 400: ErrorResponseSerializer},
    )
    def get(self, request):
        query = HistoryQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise InvalidRequest(query.errors, message=_("Invalid parameters."))
        jobs = BackgroundJob.objects.owned_by(request.user)[: query.validated_data["take"]]
        return Response({"success": True, "jobs": BackgroundJobSerializer(jobs, many=True).data})


class JobDetailView(ApiView):
    @extend_schema(tags=TAGS, summary="One of your jobs", responses={200: JobResponseSerializer, 404: NOT_FOUND})
    def get(self, request, pk):
        return job_response(owned_job(request, pk))


class CancelJobView(ApiView):
    @job_action_schema(
        "Cancel a pending or running job",
        "A pending job is cancelled at once; a running one stops at its next check (partial counts kept).",
    )
    def post(self, request, pk):
        job = owned_job(request, pk)
        if not cancel_job(job):
            message = _("This job has already finished.")
            raise InvalidRequest({"status": [message]}, message=message)
        job.refresh_from_db()
        return job_response(job)


class RetryJobView(ApiView):
    throttle_classes = [JobStartThrottle]

    @job_action_schema(
        "Start a failed or cancelled job again",
        "Creates and returns a new job linked to the original.",
        code=status.HTTP_201_CREATED,
    )
    def post(self, request, pk):
        job = owned_job(request, pk)
        try:
            new_job = retry_job(job)
        except JobError as exc:
            raise InvalidRequest({"status": [str(exc)]}, message=str(exc)) from exc
        return job_response(new_job, code=status.HTTP_201_CREATED)
