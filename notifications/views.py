"""Start a bulk send: validate, create the campaign and its job, answer at once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from config.api import ApiView, ErrorResponseSerializer, InvalidRequest, success_response
from config.throttling import JobStartThrottle, throttle_job_starts
from jobs.formatting import format_datetime

from .audience import AudienceError
from .campaigns import retry_failed, start_campaign
from .forms import FORMS
from .models import Campaign, Delivery, Tag, address_field
from .outcomes import csv_lines, deliveries_page
from .serializers import (
    SERIALIZERS,
    BulkSendRequestSerializer,
    CampaignSerializer,
    DeliveriesQuerySerializer,
    DeliverySerializer,
    RetryFailedSerializer,
)

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
            202: success_response(
                "BulkSendStarted",
                message=serializers.CharField(),
                jobId=serializers.IntegerField(),
                campaignId=serializers.IntegerField(),
                recipients=serializers.IntegerField(),
                skippedInvalid=serializers.IntegerField(),
                duplicates=serializers.IntegerField(),
                excluded=serializers.IntegerField(),
                sendAt=serializers.DateTimeField(allow_null=True),
            )
        },
    )
    def post(self, request, channel):
        serializer_class = SERIALIZERS.get(channel)
        if serializer_class is None:
            raise InvalidRequest({"channel": [_("Unknown channel “%(channel)s”.") % {"channel": channel[:20]}]})
        if not isinstance(request.data, dict):
            raise InvalidRequest({"non_field_errors": [_("Expected a JSON object.")]})
        serializer = serializer_class(data=request.data, context={"user": request.user})
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        campaign = start_campaign(
            request.user,
            v["audience"],
            body=v["body"],
            subject=v.get("subject", ""),
            html=v.get("html", ""),
            idempotency_key=request.headers.get("Idempotency-Key", "")[:100],
            urgent=v.get("urgent", False),
            send_at=v.get("sendAt"),
            personalised=v["personalised"],
        )
        return Response(answer(campaign, v["audience"]), status=status.HTTP_202_ACCEPTED)


def scheduled_message(campaign):
    """What a scheduled send's owner is told, or None for a send that starts now."""
    if not campaign.send_at:
        return None
    return _("%(title)s: scheduled for %(when)s as job #%(job)d.") % {
        "title": campaign.job.title,
        "when": format_datetime(campaign.send_at),
        "job": campaign.job_id,
    }


def answer(campaign, audience):
    return {
        "success": True,
        "message": scheduled_message(campaign) or STARTED[campaign.channel](),
        "jobId": campaign.job_id,
        "campaignId": campaign.pk,
        "recipients": audience.count,
        "skippedInvalid": audience.invalid,
        "duplicates": audience.duplicates,
        "excluded": audience.excluded,
        "sendAt": campaign.send_at.isoformat() if campaign.send_at else None,
    }


@login_required
@throttle_job_starts
def new_campaign(request, channel):
    """The CRM's form page for a bulk send (same rules as the API)."""
    form_class = FORMS[channel]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            audience, body, personalised = form.audience_and_body()
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
                send_at=d.get("send_at"),
                personalised=personalised,
            )
            messages.success(
                request,
                scheduled_message(campaign)
                or _("%(title)s: started as job #%(job)d.") % {"title": campaign.job.title, "job": campaign.job_id},
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
            200: success_response(
                "TagList",
                tags=inline_serializer(
                    "TagCount", {"name": serializers.CharField(), "contacts": serializers.IntegerField()}, many=True
                ),
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


# --- campaign outcomes (owner-only: another user's campaign is a 404) ----------------

TAGS = ["campaigns"]
NOT_FOUND = OpenApiResponse(ErrorResponseSerializer, description="No such campaign among yours.")
CAMPAIGN_RESPONSE = success_response("CampaignOutcome", campaign=CampaignSerializer())
DELIVERIES_RESPONSE = success_response(
    "CampaignDeliveries",
    deliveries=DeliverySerializer(many=True),
    next=serializers.IntegerField(allow_null=True, help_text="The next page, or null on the last."),
)
RETRY_RESPONSE = success_response(
    "RetryFailedStarted", jobId=serializers.IntegerField(), campaignId=serializers.IntegerField()
)


def campaign_schema(summary, answers, **kwargs):
    """The schema of an endpoint on one of your campaigns: tagged "campaigns", its
    `answers` ({status: response}), and a 404 for a campaign that is not yours."""
    return extend_schema(tags=TAGS, summary=summary, responses={**answers, 404: NOT_FOUND}, **kwargs)


def owned_campaign(request, pk) -> Campaign:
    """The user's campaign `pk`, else a 404 in the one error shape."""
    campaign = Campaign.objects.owned_by(request.user).select_related("job").filter(pk=pk).first()
    if campaign is None:
        raise exceptions.NotFound(_("No such campaign among yours."))
    return campaign


class CampaignView(ApiView):
    @campaign_schema("A campaign's outcome: counts per delivery status", {200: CAMPAIGN_RESPONSE})
    def get(self, request, pk):
        campaign = owned_campaign(request, pk)
        data = CampaignSerializer(campaign, context={"counts": campaign.deliveries.status_counts()}).data
        return Response({"success": True, "campaign": data})


class CampaignDeliveriesView(ApiView):
    @campaign_schema(
        "A campaign's deliveries, a page at a time", {200: DELIVERIES_RESPONSE}, parameters=[DeliveriesQuerySerializer]
    )
    def get(self, request, pk):
        campaign = owned_campaign(request, pk)
        query = DeliveriesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows, next_page = deliveries_page(
            campaign, query.validated_data.get("status", ""), query.validated_data["page"]
        )
        return Response({"success": True, "deliveries": DeliverySerializer(rows, many=True).data, "next": next_page})


class CampaignCsvView(ApiView):
    @campaign_schema("Every delivery of a campaign as CSV", {(200, "text/csv"): str})
    def get(self, request, pk):
        campaign = owned_campaign(request, pk)
        response = StreamingHttpResponse(csv_lines(campaign), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-deliveries.csv"'
        return response


class RetryFailedView(ApiView):
    throttle_classes = [JobStartThrottle]

    @campaign_schema(
        "Send again to the recipients that failed, as a new campaign",
        {202: RETRY_RESPONSE},
        request=RetryFailedSerializer,
    )
    def post(self, request, pk):
        campaign = owned_campaign(request, pk)
        serializer = RetryFailedSerializer(data=request.data if isinstance(request.data, dict) else {})
        serializer.is_valid(raise_exception=True)
        try:
            retry = retry_failed(campaign, include_unknown=serializer.validated_data["includeUnknown"])
        except AudienceError as exc:
            raise InvalidRequest(exc.errors, message=exc.errors["campaign"][0]) from exc
        return Response(
            {"success": True, "jobId": retry.job_id, "campaignId": retry.pk}, status=status.HTTP_202_ACCEPTED
        )


@login_required
def campaign_detail(request, pk):
    """The campaign page: counts, a filterable paged table of deliveries, CSV, retry."""
    campaign = get_object_or_404(Campaign.objects.owned_by(request.user).select_related("job"), pk=pk)
    current = request.GET.get("status", "")
    if current not in Delivery.Status.values:
        current = ""
    try:
        page = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        page = 1
    rows, next_page = deliveries_page(campaign, current, page)
    context = {
        "campaign": campaign,
        "counts": campaign.deliveries.status_counts(),
        "rows": [(d, format_datetime(d.sent_at)) for d in rows],
        "statuses": Delivery.Status.choices,
        "current": current,
        "page": page,
        "next_page": next_page,
        "send_at": format_datetime(campaign.send_at),
        "created_at": format_datetime(campaign.created_at),
    }
    return render(request, "notifications/campaign_detail.html", context)


@login_required
@require_POST
@throttle_job_starts
def campaign_retry_failed(request, pk):
    campaign = get_object_or_404(Campaign.objects.owned_by(request.user), pk=pk)
    try:
        retry = retry_failed(campaign, include_unknown=request.POST.get("include_unknown") == "on")
    except AudienceError as exc:
        messages.error(request, exc.errors["campaign"][0])
        return redirect("notifications:campaign-detail", pk=campaign.pk)
    messages.success(request, _("Retrying the failed recipients as job #%(job)d.") % {"job": retry.job_id})
    return redirect("notifications:campaign-detail", pk=retry.pk)
