"""The jobs API's URLs as designed (each endpoint's tests reach it by its name)."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("name", "args", "url"),
    [
        ("jobs:api-active", [], "/jobs/api/active/"),
        ("jobs:api-history", [], "/jobs/api/history/"),
        ("jobs:api-detail", [7], "/jobs/api/7/"),
        ("jobs:api-cancel", [7], "/jobs/api/7/cancel/"),
        ("jobs:api-retry", [7], "/jobs/api/7/retry/"),
    ],
)
def test_url_is_as_designed(name, args, url):
    assert reverse(name, args=args) == url
