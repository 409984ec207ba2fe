import re

import pytest
from django.utils import translation

from jobs.models import BackgroundJob
from tests.ui.conftest import embedded_widget_data

pytestmark = pytest.mark.django_db
Status = BackgroundJob.Status
JobType = BackgroundJob.JobType

# (choice, text): a list, since JobType.SMS == Status.PENDING == 0 as dict keys.
SEED_000_PERSIAN = [
    (JobType.SMS, "ارسال انبوه پیامک"),
    (JobType.EMAIL, "ارسال انبوه ایمیل"),
    (JobType.REPORT, "تولید گزارش"),
    (JobType.EXPORT, "خروجی اطلاعات"),
    (Status.PENDING, "در انتظار"),
    (Status.RUNNING, "در حال اجرا"),
    (Status.COMPLETED, "تکمیل شده"),
    (Status.FAILED, "ناموفق"),
    (Status.CANCELLED, "لغو شده"),
]


@pytest.mark.parametrize(("choice", "text"), SEED_000_PERSIAN, ids=lambda c: getattr(c, "name", ""))
def test_job_type_and_status_texts_are_the_seeds_persian(choice, text):
    with translation.override("fa"):
        assert str(choice.label) == text


@pytest.mark.parametrize("choice", [*JobType, *Status], ids=lambda c: c.name)
def test_every_job_type_and_status_has_an_arabic_text(choice):
    with translation.override("ar"):
        text = str(choice.label)
    assert text != str(choice.label) and re.search(r"[\u0600-\u06FF]", text)


# (language, page, a job's status, its status text, another text of the page, the year its dates begin with)
RTL_PAGES = [
    ("fa", "/jobs/", Status.COMPLETED, "تکمیل شده", "ارسال انبوه پیامک", "14"),  # Jalali dates
    ("ar", "/", Status.FAILED, "فشل", "لوحة التحكم", "20"),
]


@pytest.mark.parametrize(("language", "path", "status", "status_text", "page_text", "century"), RTL_PAGES)
def test_persian_and_arabic_pages_are_rtl(
    client, alice, make_job, language, path, status, status_text, page_text, century
):
    make_job(alice, status=status)
    client.force_login(alice)
    client.cookies["django_language"] = language

    html = client.get(path).content.decode()

    assert f'<html lang="{language}" dir="rtl">' in html
    assert "bootstrap.rtl.min.css" in html and "bootstrap.min.css" not in html
    assert status_text in html and page_text in html
    job = embedded_widget_data(html)["recent"]["jobs"][0]
    assert re.fullmatch(rf"{century}\d\d/\d\d/\d\d \d\d:\d\d", job["startDate"]), job["startDate"]
    assert job["statusText"] == status_text


def test_language_switch_posts_to_set_language_and_comes_back(client, alice):
    client.force_login(alice)

    response = client.post("/i18n/setlang/", {"language": "fa", "next": "/jobs/"})

    assert response.status_code == 302 and response["Location"] == "/jobs/"
    assert '<html lang="fa" dir="rtl">' in client.get("/jobs/").content.decode()


def test_english_is_the_default(client, alice):
    client.force_login(alice)

    html = client.get("/").content.decode()

    assert '<html lang="en" dir="ltr">' in html and "Dashboard" in html


def test_dashboard_helpers_are_translated(client, alice):
    client.force_login(alice)

    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()

    assert 'data-counter-text="%(chars)s نویسه، %(segments)s پیامک"' in html
    assert 'data-option-text="%(name)s (%(count)s مخاطب)"' in html
    assert 'data-audience-text="مخاطبان: %(count)s نفر"' in html
