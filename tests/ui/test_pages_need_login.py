import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/jobs/", "/jobs/1/"])
def test_anonymous_user_is_sent_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_login_page_renders_with_the_crm_shell(client):
    response = client.get("/accounts/login/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in html and 'name="password"' in html
    assert "bootstrap.min.css" in html
    assert "page-header-jobs-dropdown" not in html  # no widget for anonymous users


def test_user_logs_in_and_lands_on_the_dashboard(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "alice-password"}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/"
    assert 'id="bulkSmsForm"' in html and 'id="bulkEmailForm"' in html and 'id="reportForm"' in html


def test_logout_is_a_post_from_the_user_menu(client, alice):
    client.force_login(alice)

    html = client.get("/").content.decode()
    response = client.post("/accounts/logout/")

    assert 'action="/accounts/logout/"' in html
    assert response.status_code == 302
    assert client.get("/").status_code == 302
