"""The CRM dashboard: the bulk SMS, bulk email and report forms, and the user's recent jobs."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from jobs.models import BackgroundJob
from jobs.ui_payload import job_payloads
from notifications.text import GSM7_BASIC, GSM7_EXTENDED, SEGMENT_SIZES


@login_required
def dashboard(request):
    recent = BackgroundJob.objects.owned_by(request.user)[:5]
    form_texts = {
        "started": _("The job has started."),
        "viewJob": _("View job"),
        "fixErrors": _("Please correct the errors below."),
        "error": _("Something went wrong. Please try again."),
    }
    # The SMS counter counts as the server does (notifications.text.sms_segments).
    sms_alphabet = {
        "basic": "".join(sorted(GSM7_BASIC)),
        "extended": "".join(sorted(GSM7_EXTENDED)),
        "sizes": SEGMENT_SIZES,
    }
    context = {"recent_jobs": job_payloads(recent), "form_texts": form_texts, "sms_alphabet": sms_alphabet}
    return render(request, "crm/dashboard.html", context)
