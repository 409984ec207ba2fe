"""Reports views: request a report (JSON API), download its file, the CRM reports page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from config.api import ApiView, ErrorResponseSerializer, Gone, success_response
from config.throttling import JobStartThrottle, throttle_job_starts

from .models import Report
from .serializers import ReportRequestSerializer
from .services import request_report

PAGE_SIZE = 50


class ReportRequestView(ApiView):
    throttle_classes = [JobStartThrottle]

    @extend_schema(
        request=ReportRequestSerializer,
        responses={
            201: success_response(
                "ReportStarted", jobId=serializers.IntegerField(), reportId=serializers.IntegerField()
            ),
            400: OpenApiResponse(ErrorResponseSerializer, description="Field errors; nothing was started."),
        },
    )
    def post(self, request):
        """Start a report or export job; its file is downloadable once the job completes."""
        serializer = ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = request_report(request.user, data["kind"], data["format"], serializer.parameters())
        return Response(
            {"success": True, "jobId": report.job_id, "reportId": report.pk}, status=status.HTTP_201_CREATED
        )


class ReportDownloadView(ApiView):
    @extend_schema(
        responses={
            (200, "application/octet-stream"): bytes,
            404: OpenApiResponse(ErrorResponseSerializer, description="Not yours, or not ready yet."),
            410: OpenApiResponse(ErrorResponseSerializer, description="The report's file has expired."),
        }
    )
    def get(self, request, pk):
        """The report's file, to its owner only: 404 for others or while not ready, 410 once expired."""
        report = get_object_or_404(Report.objects.select_related("job"), pk=pk, owner=request.user)
        if report.is_expired:
            raise Gone(_("This report has expired."))
        if not report.is_ready:
            raise Http404
        return FileResponse(report.file.open("rb"), as_attachment=True, filename=report.filename())


@login_required
@throttle_job_starts
def reports_page(request):
    """The user's reports with status and download links, and a form to request a new one."""
    # A plain dict without blanks: an unchecked box or empty date means "not given".
    posted = {k: v for k, v in request.POST.dict().items() if v != ""}
    form = ReportRequestSerializer(data=posted) if request.method == "POST" else ReportRequestSerializer()
    if request.method == "POST" and form.is_valid():
        report = request_report(
            request.user, form.validated_data["kind"], form.validated_data["format"], form.parameters()
        )
        messages.success(request, _("Your report was requested; it will appear here when it is ready."))
        return redirect(f"{request.path}#report-{report.pk}")
    reports = Report.objects.filter(owner=request.user).select_related("job")[:PAGE_SIZE]
    return render(
        request,
        "reports/reports.html",
        {
            "reports": reports,
            "errors": form.errors if request.method == "POST" else {},
            "kinds": Report.Kind.choices,
            "formats": Report.Format.choices,
            "values": request.POST,
        },
        status=400 if request.method == "POST" else 200,
    )
