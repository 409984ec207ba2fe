"""Validation of report requests (API and CRM form share it)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Report

DATED = {Report.Kind.MESSAGING, Report.Kind.JOBS}
MAX_RANGE_DAYS = 366
EARLIEST = dt.date(1970, 1, 1)  # dates outside [EARLIEST, a year from today] are typos, not reports


def check_sane(**dates):
    """Refuse dates outside [EARLIEST, a year from today] (year 1 or 9999 would crash the build)."""
    latest = timezone.localdate() + dt.timedelta(days=MAX_RANGE_DAYS)
    for name, value in dates.items():
        if value is not None and not EARLIEST <= value <= latest:
            message = _("Give a date between %(first)s and %(last)s.") % {
                "first": EARLIEST.isoformat(),
                "last": latest.isoformat(),
            }
            raise serializers.ValidationError({name.replace("date_", ""): [message]})


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Report.Kind.choices)
    format = serializers.ChoiceField(choices=Report.Format.choices, default=Report.Format.CSV)
    # "from" is a Python keyword: added in get_fields() under its JSON name.
    to = serializers.DateField(required=False, allow_null=True)
    tag = serializers.CharField(required=False, allow_blank=True, max_length=100)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, allow_null=True)
        return fields

    def validate(self, attrs):
        kind = attrs["kind"]
        date_from, date_to = attrs.get("from"), attrs.get("to")
        if kind in DATED:
            check_sane(date_from=date_from, to=date_to)
            date_to = date_to or timezone.localdate()
            date_from = date_from or date_to - dt.timedelta(days=6)
            if date_from > date_to:
                raise serializers.ValidationError({"from": [_("The start date must not be after the end date.")]})
            if (date_to - date_from).days >= MAX_RANGE_DAYS:
                raise serializers.ValidationError({"to": [_("The range can cover at most 366 days.")]})
        attrs["from"], attrs["to"] = date_from, date_to
        return attrs

    def parameters(self) -> dict:
        """The report's stored parameters (JSON): only those its kind uses."""
        data = self.validated_data
        if data["kind"] in DATED:
            return {"from": data["from"].isoformat(), "to": data["to"].isoformat()}
        params = {}
        if data.get("tag"):
            params["tag"] = data["tag"]
        if data.get("active") is not None:
            params["active"] = data["active"]
        return params
