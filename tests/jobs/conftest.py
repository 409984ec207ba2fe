import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users are created in almost every test: hash their passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
