"""A job as seed 000's JSON (camelCase keys) for the CRM pages and the header
widget: exactly what the JSON API answers (jobs.serializers), so the pages, the
widget and the API never disagree on texts, dates (Jalali in Persian) or badges."""

from .serializers import BackgroundJobSerializer


def job_payload(job) -> dict:
    return BackgroundJobSerializer(job).data


def job_payloads(jobs) -> list:
    return BackgroundJobSerializer(jobs, many=True).data
