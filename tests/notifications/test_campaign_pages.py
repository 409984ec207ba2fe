"""The campaign page, the deliveries API's paging and filters, the CSV's safety, the
reason backfill: ledger rows made directly (the worker side is in test_campaign_outcome)."""

import csv
import importlib
import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from jobs.models import BackgroundJob
from notifications.models import Campaign, Delivery
from notifications.outcomes import safe_cell
from tests.jobs.factories import BackgroundJobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(alice):
    job = BackgroundJobFactory(created_by=alice, completed=True, failed_count=3, success_count=57)
    campaign = Campaign.objects.create(channel="sms", body="Sale!", owner=alice, job=job)
    rows = [
        Delivery(campaign=campaign, recipient=f"+98912{i:07d}", status="sent", attempts=1, sent_at=timezone.now())
        for i in range(57)
    ]
    rows += [
        Delivery(
            campaign=campaign, recipient="+989129999991", status="failed", reason="rejected", error="bad", attempts=1
        ),
        Delivery(
            campaign=campaign, recipient="+989129999992", status="failed", reason="gave_up", error="500", attempts=4
        ),
        Delivery(
            campaign=campaign, recipient="+989129999993", status="failed", reason="unknown", error="?", attempts=1
        ),
    ]
    Delivery.objects.bulk_create(rows)
    return campaign


def test_page_shows_counts_table_csv_link_and_unknown_warning(client, alice, campaign):
    client.force_login(alice)

    html = client.get(f"/notifications/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'id="countSent">57<' in html and 'id="countFailed">3<' in html
    assert f'href="/notifications/campaigns/{campaign.pk}/deliveries.csv"' in html
    assert "1 recipients have an unknown outcome" in html and 'name="include_unknown"' in html
    assert html.count('<tr data-status="') == 50  # a page
    assert 'id="nextPage" href="?status=&amp;page=2"' in html


def test_page_filters_by_status_and_pages(client, alice, campaign):
    client.force_login(alice)

    failed = client.get(f"/notifications/campaigns/{campaign.pk}/?status=failed").content.decode()
    second = client.get(f"/notifications/campaigns/{campaign.pk}/?page=2").content.decode()

    assert failed.count('<tr data-status="failed"') == 3 and 'data-status="sent"' not in failed
    assert second.count('<tr data-status="') == 10


def test_page_is_translated_with_jalali_dates(client, alice, campaign):
    client.force_login(alice)
    Campaign.objects.filter(pk=campaign.pk).update(send_at=timezone.now() + timedelta(days=1))

    html = client.get(f"/notifications/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()

    assert "دریافت CSV" in html and "ارسال دوباره به گیرندگان ناموفق" in html
    assert 'id="campaignSendAt">14' in html  # a Jalali year (14xx)


def test_other_users_get_404(client, bob, campaign):
    client.force_login(bob)

    assert client.get(f"/notifications/campaigns/{campaign.pk}/").status_code == 404
    assert client.post(f"/notifications/campaigns/{campaign.pk}/retry-failed/").status_code == 404
    assert Campaign.objects.count() == 1


def test_page_retry_leaves_unknown_out_unless_ticked(client, alice, campaign):
    client.force_login(alice)

    response = client.post(f"/notifications/campaigns/{campaign.pk}/retry-failed/")
    retry = Campaign.objects.exclude(pk=campaign.pk).get()
    ticked = client.post(f"/notifications/campaigns/{campaign.pk}/retry-failed/", {"include_unknown": "on"})
    last = Campaign.objects.exclude(pk__in=[campaign.pk, retry.pk]).get()

    assert response.status_code == 302 and response["Location"] == f"/notifications/campaigns/{retry.pk}/"
    assert retry.recipients == ["+989129999991", "+989129999992"]
    assert ticked.status_code == 302 and last.recipients == ["+989129999993"]
    assert BackgroundJob.objects.filter(created_by=alice).count() == 3


def test_deliveries_api_validates_its_parameters(alice_client, campaign):
    for query in ("status=lost", "page=0", "page=two"):
        response = alice_client.get(f"/notifications/api/campaigns/{campaign.pk}/deliveries/?{query}")
        assert response.status_code == 400 and response.json()["success"] is False, query


def test_deliveries_api_pages_to_the_end(alice_client, campaign):
    url = f"/notifications/api/campaigns/{campaign.pk}/deliveries/"
    first, second = alice_client.get(url).json(), alice_client.get(url, {"page": 2}).json()
    past = alice_client.get(url, {"page": 9}).json()

    assert (len(first["deliveries"]), first["next"]) == (50, 2)
    assert (len(second["deliveries"]), second["next"]) == (10, None)
    assert past == {"success": True, "deliveries": [], "next": None}
    assert set(first["deliveries"][0]) >= {"recipient", "status", "error", "attempts", "sentAt"}


@pytest.mark.parametrize(
    "value, shown",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("+989121234567", "+989121234567"),  # a phone number stays as it is
        ("user@example.com", "user@example.com"),
    ],
)
def test_csv_cells_cannot_run_as_formulas(value, shown):
    assert safe_cell(value) == shown


def test_csv_guards_recipient_and_error_cells(alice_client, campaign):
    Delivery.objects.create(campaign=campaign, recipient="=evil@example.com", status="failed", error="=1+1")

    response = alice_client.get(f"/notifications/campaigns/{campaign.pk}/deliveries.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert len(rows) == 1 + 61
    assert rows[-1][:3] == ["'=evil@example.com", "failed", "'=1+1"]
    assert rows[1][0] == "+989120000000"


def test_migration_backfills_reasons_from_the_error_text(campaign):
    Delivery.objects.filter(campaign=campaign).update(reason="")
    Delivery.objects.filter(recipient="+989129999992").update(error="Gave up after 4 attempts: 500")
    Delivery.objects.filter(recipient="+989129999993").update(
        error="Outcome unknown: the worker stopped while sending; not resent to avoid a duplicate."
    )

    importlib.import_module("notifications.migrations.0004_campaigns").backfill_reasons(apps, None)

    reasons = dict(Delivery.objects.filter(status="failed").values_list("recipient", "reason"))
    assert reasons == {"+989129999991": "rejected", "+989129999992": "gave_up", "+989129999993": "unknown"}
    assert not Delivery.objects.filter(status="sent").exclude(reason="").exists()


def test_failure_summary_groups_reasons_largest_first(campaign):
    from notifications.signals import failure_summary

    Delivery.objects.create(
        campaign=campaign, recipient="+989129999994", status="failed", reason="rejected", error="bad"
    )
    Delivery.objects.create(campaign=campaign, recipient="+989129999995", status="failed", reason="gave_up", attempts=4)

    summary = failure_summary(campaign)

    assert summary == {
        "failed": 5,
        "total": 62,
        "groups": [
            {"count": 2, "reason": "bad"},
            {"count": 2, "reason": "gave up after %(n)d attempts", "params": {"n": 4}},
            {"count": 1, "reason": "outcome unknown (may have been delivered)"},
        ],
    }
