"""Reports views: request a report (JSON API), download its file, the CRM reports page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.formatting import format_date

from .models import Report
from .serializers import ReportRequestSerializer
from .services import request_report

PAGE_SIZE = 50
PARAMETER_LABELS = {
    "tag": _lazy("Tag"),
    "active": _lazy("Active contacts only"),
    "from": _lazy("From"),
    "to": _lazy("To"),
}


def parameter_texts(report) -> list[tuple[str, str]]:
    """A report's parameters as the reader's words: labels translated, dates Jalali in Persian."""
    texts = []
    for key, value in sorted(report.parameters.items()):
        if key in ("from", "to"):
            value = format_date(value)
        elif isinstance(value, bool):
            value = _("yes") if value else _("no")
        texts.append((PARAMETER_LABELS.get(key, key), value))
    return texts


class ReportRequestView(APIView):
    @extend_schema(
        request=ReportRequestSerializer,
        responses={
            201: inline_serializer(
                "ReportStarted",
                {
                    "success": serializers.BooleanField(),
                    "jobId": serializers.IntegerField(),
                    "reportId": serializers.IntegerField(),
                },
            ),
            400: OpenApiResponse(description="Field errors; nothing was started."),
        },
    )
    def post(self, request):
        """Start a report or export job; its file is downloadable once the job completes."""
        serializer = ReportRequestSerializer(data=request.data)
        if not serializer.is_valid():
            return Response({"success": False, "errors": serializer.errors}, status=status.HTTP_400_BAD_REQUEST)
        data = serializer.validated_data
        report = request_report(request.user, data["kind"], data["format"], serializer.parameters())
        return Response(
            {"success": True, "jobId": report.job_id, "reportId": report.pk}, status=status.HTTP_201_CREATED
        )


class ReportDownloadView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes, 404: None, 410: None})
    def get(self, request, pk):
        """The report's file, to its owner only: 404 for others or while not ready, 410 once expired."""
        report = get_object_or_404(Report.objects.select_related("job"), pk=pk, owner=request.user)
        if report.is_expired:
            return Response({"success": False, "error": _("This report has expired.")}, status=status.HTTP_410_GONE)
        if not report.is_ready:
            raise Http404
        return FileResponse(report.file.open("rb"), as_attachment=True, filename=report.filename())


@login_required
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
    reports = list(Report.objects.filter(owner=request.user).select_related("job")[:PAGE_SIZE])
    for report in reports:
        report.parameter_texts = parameter_texts(report)
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
