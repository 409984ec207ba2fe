"""Per-user limit on starting jobs, for the API (a DRF throttle) and the CRM's form pages."""

import math
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from rest_framework.throttling import UserRateThrottle


class JobStartThrottle(UserRateThrottle):
    """Per-user limit on starting jobs (JOBS_START_RATE, e.g. "60/minute"; empty: none).

    Read per request (not at import like DRF's DEFAULT_THROTTLE_RATES), so tests and
    deployments can change it. Counts live in the default cache: set CACHE_URL to a
    shared Redis when several web processes serve the API."""

    scope = "job_start"

    def get_rate(self):
        return settings.JOBS_START_RATE or None


def throttle_job_starts(view):
    """The same limit (and counts) for a page whose POST starts a job: over it, a
    429 page saying when to try again, and the view does not run."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        throttle = JobStartThrottle()
        if request.method == "POST" and not throttle.allow_request(request, None):
            seconds = math.ceil(throttle.wait() or 1)
            response = render(request, "throttled.html", {"seconds": seconds}, status=429)
            response["Retry-After"] = str(seconds)
            return response
        return view(request, *args, **kwargs)

    return wrapper
