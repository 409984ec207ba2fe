import pytest

pytestmark = pytest.mark.django_db


def test_staff_see_admin_beat_results_and_flower_links(client, staff, settings):
    settings.FLOWER_URL = "http://flower.example:5555"
    client.force_login(staff)

    html = client.get("/").content.decode()

    assert 'href="/admin/"' in html
    assert 'href="/admin/django_celery_beat/periodictask/"' in html
    assert 'href="/admin/django_celery_results/taskresult/"' in html
    assert 'href="http://flower.example:5555"' in html


def test_other_users_get_no_ops_links(client, alice):
    client.force_login(alice)

    html = client.get("/").content.decode()

    assert 'href="/admin/"' not in html and "Flower" not in html


def test_header_has_nav_language_switch_and_local_assets(client, alice):
    client.force_login(alice)

    html = client.get("/").content.decode()

    assert 'action="/i18n/setlang/"' in html
    for value in ("fa", "ar", "en"):
        assert f'name="language" value="{value}"' in html
    assert 'href="/jobs/"' in html and 'href="/reports/"' in html
    assert "/static/vendor/bootstrap-5.3.9/js/bootstrap.bundle.min.js" in html
    assert "cdn" not in html.lower()
