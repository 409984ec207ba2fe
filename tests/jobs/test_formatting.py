"""jobs.formatting: dates and durations as users read them."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from jobs.formatting import format_date, format_datetime, format_duration, format_size
from jobs.models import BackgroundJob


@pytest.mark.parametrize(
    "delta,text",
    [
        (timedelta(0), "00:00"),
        (timedelta(seconds=59), "00:59"),
        (timedelta(minutes=5, seconds=23), "05:23"),
        (timedelta(minutes=59, seconds=59), "59:59"),
        (timedelta(hours=1), "1:00:00"),
        (timedelta(hours=26, minutes=3, seconds=4), "26:03:04"),
        (timedelta(seconds=-3), "00:00"),
        (None, None),
    ],
)
def test_duration(delta, text):
    assert format_duration(delta) == text


def test_date_is_in_the_current_time_zone():
    moment = datetime(2024, 11, 17, 11, 0, tzinfo=UTC)
    with translation.override("en"):
        with timezone_override("Asia/Tehran"):
            assert format_datetime(moment) == "2024/11/17 14:30"
        with timezone_override("UTC"):
            assert format_datetime(moment) == "2024/11/17 11:00"


def test_persian_date_is_jalali():
    moment = datetime(2024, 11, 17, 14, 30, tzinfo=ZoneInfo("Asia/Tehran"))
    with timezone_override("Asia/Tehran"):
        with translation.override("fa"):
            assert format_datetime(moment) == "1403/08/27 14:30"
        with translation.override("ar"):
            assert format_datetime(moment) == "2024/11/17 14:30"
        assert format_datetime(moment, language="fa") == "1403/08/27 14:30"


def test_missing_date_is_none():
    assert format_datetime(None) is None


def test_unknown_status_gets_a_neutral_badge():
    assert BackgroundJob(status=99).badge_class == "bg-secondary"


def timezone_override(name):
    return timezone.override(ZoneInfo(name))


def test_a_day_reads_jalali_in_persian_and_slashed_otherwise():
    assert format_date("2026-11-01", "fa") == "1405/08/10"
    assert format_date("2026-11-01", "en") == "2026/11/01"
    assert format_date(None) is None


def test_sizes_have_translated_units():
    assert format_size(512) == "512 bytes"
    assert format_size(2048) == "2.0 KB"
    with translation.override("fa"):
        assert format_size(3 * 1024 * 1024) == "3.0 مگابایت"
