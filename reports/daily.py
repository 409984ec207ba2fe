"""The daily report: the previous day's messaging and jobs reports as XLSX, emailed to staff.

Scheduled by the django-celery-beat PeriodicTask "reports: daily report" (created
by migration 0002, cron 0 0 * * * in TIME_ZONE; edit it in the admin). It runs as
a plain task, not a BackgroundJob: nobody asked for it, so no one's header widget
should show it. The two files are kept as Report rows owned by the first active
superuser (or by nobody when there is none), so they can also be downloaded from
the CRM reports page and the admin until they expire.
"""

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.translation import gettext as _

from .generators import parse_date
from .models import Report
from .services import build_report_file, expiry_from_now

logger = logging.getLogger(__name__)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_owner():
    return get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()


def staff_emails() -> list[str]:
    users = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def send_daily_report(day=None) -> dict:
    day = parse_date(day) or timezone.localdate() - dt.timedelta(days=1)
    params = {"from": day.isoformat(), "to": day.isoformat()}
    owner = report_owner()
    reports = []
    for kind in (Report.Kind.MESSAGING, Report.Kind.JOBS):
        report = Report.objects.create(
            kind=kind, format=Report.Format.XLSX, parameters=params, owner=owner, expires_at=expiry_from_now()
        )
        reports.append(build_report_file(report))
    recipients = staff_emails()
    if recipients:
        message = EmailMessage(
            subject=_("Daily report for %(day)s") % {"day": day.isoformat()},
            body=_("Attached: the messaging and jobs reports for %(day)s.") % {"day": day.isoformat()},
            to=recipients,
        )
        for report in reports:
            with report.file.open("rb") as fh:
                message.attach(f"{report.kind}-{day.isoformat()}.xlsx", fh.read(), XLSX_MIME)
        message.send()
    else:
        logger.warning("daily report for %s: no staff user with an email address", day)
    return {"day": day.isoformat(), "reports": [r.pk for r in reports], "recipients": len(recipients)}
