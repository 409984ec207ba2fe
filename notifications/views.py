"""Start a bulk send: validate, create the campaign and its job, answer at once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from config.api import ApiView, InvalidRequest
from config.throttling import JobStartThrottle, throttle_job_starts

from .audience import AudienceError
from .campaigns import start_campaign
from .forms import FORMS
from .models import Campaign, Tag, address_field
from .serializers import SERIALIZERS, BulkSendRequestSerializer

STARTED = {
    Campaign.Channel.SMS: lambda: _("Sending SMS started"),
    Campaign.Channel.EMAIL: lambda: _("Sending email started"),
}


class BulkSendView(ApiView):
    """POST /notifications/api/<channel>/bulk/ with {"recipients": [...]} or {"tag": ...}."""

    throttle_classes = [JobStartThrottle]

    @extend_schema(
        summary="Start a bulk SMS or email send",
        parameters=[OpenApiParameter("channel", str, OpenApiParameter.PATH, enum=list(SERIALIZERS))],
        request=BulkSendRequestSerializer,
        responses={
            202: inline_serializer(
                "BulkSendStarted",
                {
                    "success": serializers.BooleanField(),
                    "message": serializers.CharField(),
                    "jobId": serializers.IntegerField(),
                    "campaignId": serializers.IntegerField(),
                    "recipients": serializers.IntegerField(),
                    "skippedInvalid": serializers.IntegerField(),
                    "duplicates": serializers.IntegerField(),
                    "excluded": serializers.IntegerField(),
                },
            )
        },
    )
    def post(self, request, channel):
        serializer_class = SERIALIZERS.get(channel)
        if serializer_class is None:
            raise InvalidRequest({"channel": [_("Unknown channel “%(channel)s”.") % {"channel": channel[:20]}]})
        if not isinstance(request.data, dict):
            raise InvalidRequest({"non_field_errors": [_("Expected a JSON object.")]})
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        campaign = start_campaign(
            request.user,
            v["audience"],
            body=v["body"],
            subject=v.get("subject", ""),
            html=v.get("html", ""),
            idempotency_key=request.headers.get("Idempotency-Key", "")[:100],
        )
        return Response(answer(campaign, v["audience"]), status=status.HTTP_202_ACCEPTED)


def answer(campaign, audience):
    return {
        "success": True,
        "message": STARTED[campaign.channel](),
        "jobId": campaign.job_id,
        "campaignId": campaign.pk,
        "recipients": audience.count,
        "skippedInvalid": audience.invalid,
        "duplicates": audience.duplicates,
        "excluded": audience.excluded,
    }


@login_required
@throttle_job_starts
def new_campaign(request, channel):
    """The CRM's form page for a bulk send (same rules as the API)."""
    form_class = FORMS[channel]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            audience, body = form.audience_and_body()
        except AudienceError as exc:
            form.add_audience_errors(exc.errors)
        else:
            d = form.cleaned_data
            campaign = start_campaign(
                request.user,
                audience,
                body=body,
                subject=d.get("subject", ""),
                html=d.get("html", ""),
                idempotency_key=d.get("idempotency_key", ""),
            )
            messages.success(
                request,
                _("%(title)s: started as job #%(job)d.") % {"title": campaign.job.title, "job": campaign.job_id},
            )
            return redirect(request.path)
    return render(request, "notifications/new_campaign.html", {"form": form, "channel": channel})


class TagListView(ApiView):
    """GET /notifications/api/tags/?channel=sms|email: the tags a send can target, each with
    how many active, not opted-out contacts it reaches (with an address on `channel` if given).
    Contacts and tags are shared by every CRM user: all of them are visible to each."""

    @extend_schema(
        summary="Tags with their reachable contacts",
        parameters=[OpenApiParameter("channel", str, enum=list(Campaign.Channel.values), required=False)],
        responses={
            200: inline_serializer(
                "TagList",
                {
                    "success": serializers.BooleanField(),
                    "tags": inline_serializer(
                        "TagCount", {"name": serializers.CharField(), "contacts": serializers.IntegerField()}, many=True
                    ),
                },
            )
        },
    )
    def get(self, request):
        reachable = Q(contacts__is_active=True, contacts__opted_out=False)
        channel = request.query_params.get("channel")
        if channel in Campaign.Channel.values:
            reachable &= ~Q(**{f"contacts__{address_field(channel)}": ""})
        tags = Tag.objects.annotate(reach=Count("contacts", filter=reachable)).order_by("name")
        return Response({"success": True, "tags": [{"name": tag.name, "contacts": tag.reach} for tag in tags]})
