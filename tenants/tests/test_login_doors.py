"""Every door that checks a password is as strong as the API login: one client address, one
spelling of a login name, one throttle and lockout for the API and the admin."""

import pytest
from django.test import Client, RequestFactory

from reps_dashboard.client_address import client_ip
from tenants.models import User
from tenants.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("one_throttle_window")]

LOGIN = "/api/auth/login"
ADMIN_LOGIN = "/admin/login/"


def api_login(api_client, email, password=TEST_PASSWORD, **headers):
    return api_client().post(LOGIN, {"username": email, "password": password}, format="json", **headers)


def admin_login(email, password=TEST_PASSWORD, **headers):
    client = Client()
    response = client.post(ADMIN_LOGIN, {"username": email, "password": password, "next": "/admin/"}, **headers)
    return client, response


def logged_in(client):
    return "_auth_user_id" in client.session


# --- the client address ---------------------------------------------------------------


@pytest.mark.parametrize("proxies, forwarded, expected", [
    (0, "203.0.113.9", "10.0.0.1"),                     # no proxy trusted: the header is the client's claim
    (1, "198.51.100.7", "198.51.100.7"),                # what our proxy saw
    (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),       # the client's own prefix is ignored
    (2, "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
    (2, "198.51.100.7", "10.0.0.1"),                    # shorter than the proxy chain: not through our proxies
    (1, "not-an-address", "10.0.0.1"),
    (1, "", "10.0.0.1"),
    (1, "2001:db8::1", "2001:db8::1"),
])
def test_client_address_believes_only_the_configured_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_rotating_forwarded_header_does_not_escape_the_ip_lockout(api_client, settings):
    settings.LOGIN_LOCKOUT_IP_FAILURES = 3
    for i in range(3):
        assert api_login(api_client, f"u{i}@x.com", "bad", HTTP_X_FORWARDED_FOR=f"10.9.{i}.1").status_code == 401
    refused = api_login(api_client, "fresh@x.com", "bad", HTTP_X_FORWARDED_FOR="10.9.99.1")
    assert refused.status_code == 429


def test_a_rotating_forwarded_header_does_not_escape_the_ip_throttle(api_client, settings):
    settings.LOGIN_LOCKOUT_USERNAME_FAILURES = settings.LOGIN_LOCKOUT_IP_FAILURES = 100
    statuses = [api_login(api_client, f"u{i}@x.com", "bad", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").status_code
                for i in range(11)]
    assert statuses == [401] * 10 + [429]


def test_behind_a_proxy_clients_are_told_apart_by_the_address_the_proxy_saw(api_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_LOCKOUT_IP_FAILURES = 3
    for i in range(3):  # one client, its own spoofed prefix rotating
        api_login(api_client, f"u{i}@x.com", "bad", HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 198.51.100.7")
    assert api_login(api_client, "v@x.com", "bad",
                     HTTP_X_FORWARDED_FOR="6.6.6.99, 198.51.100.7").status_code == 429
    assert api_login(api_client, "v@x.com", "bad", HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 401


# --- one spelling of a login name ------------------------------------------------------


def test_every_spelling_that_reaches_an_account_shares_its_lockout(api_client, gym, branch):
    UserFactory(gym=gym, branch=branch, email="sam@home.gym")
    spellings = ["SAM@home.gym", "ſam@home.gym", "Sam@HOME.gym", "ＳＡＭ@home.gym", " sam@home.gym "]
    for spelling in spellings:
        assert api_login(api_client, spelling, "bad").status_code == 401
    for spelling in spellings + ["sam@home.gym"]:
        locked = api_login(api_client, spelling)
        assert locked.status_code == 429, spelling


def test_the_canonical_spelling_logs_in_and_lookalikes_do_not(api_client, gym, branch):
    UserFactory(gym=gym, branch=branch, email="admin.kim@home.gym")
    assert api_login(api_client, "ADMIN.KIM@home.gym").status_code == 200
    assert api_login(api_client, "admın.kim@home.gym").status_code == 401  # dotless i: another name
    assert api_login(api_client, "admİn.kim@home.gym").status_code == 401  # dotted capital I


def test_emails_are_stored_in_the_canonical_form_whoever_saves_them(gym, branch, admin_client):
    user = UserFactory(gym=gym, branch=branch, email="ＭＩＸ@Home.Gym")
    assert User.objects.get(pk=user.pk).email == "mix@home.gym"
    response = admin_client.post("/api/settings/users", {"email": "ſteve@Home.gym", "password": "long-enough-pass-1"},
                                 format="json")
    assert response.status_code == 201, response.content
    assert response.json()["email"] == "steve@home.gym"
    clash = admin_client.post("/api/settings/users", {"email": "STEVE@home.gym", "password": "long-enough-pass-1"},
                              format="json")
    assert clash.status_code == 400 and "email" in clash.json()


# --- the admin door --------------------------------------------------------------------


def test_the_admin_login_works_with_any_spelling(staff_admin):
    client, response = admin_login("BOSS@home.gym")
    assert response.status_code == 302 and logged_in(client)


def test_an_account_locked_on_the_api_cannot_log_into_the_admin(api_client, staff_admin):
    for _ in range(5):
        assert api_login(api_client, "boss@home.gym", "bad").status_code == 401
    assert api_login(api_client, "boss@home.gym").status_code == 429
    client, response = admin_login("boss@home.gym")
    assert response.status_code == 200 and not logged_in(client)
    assert "Too many failed login attempts" in response.content.decode()


def test_failures_on_the_admin_lock_the_api_login(api_client, staff_admin):
    for _ in range(5):
        client, response = admin_login("boss@home.gym", "bad")
        assert response.status_code == 200 and not logged_in(client)
    client, response = admin_login("boss@home.gym")
    assert not logged_in(client) and "Too many failed login attempts" in response.content.decode()
    locked = api_login(api_client, "boss@home.gym")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0


def test_the_admin_login_is_throttled_per_address(settings, staff_admin):
    settings.LOGIN_LOCKOUT_USERNAME_FAILURES = settings.LOGIN_LOCKOUT_IP_FAILURES = 100
    for i in range(10):
        admin_login(f"u{i}@x.com", "bad", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    client, response = admin_login("boss@home.gym")
    assert not logged_in(client)
    assert "Too many login attempts" in response.content.decode()


def test_the_admin_ip_lockout_ignores_a_rotating_forwarded_header(settings, staff_admin):
    settings.LOGIN_LOCKOUT_IP_FAILURES = 3
    for i in range(3):
        admin_login(f"u{i}@x.com", "bad", HTTP_X_FORWARDED_FOR=f"10.9.{i}.1")
    client, _ = admin_login("boss@home.gym", HTTP_X_FORWARDED_FOR="10.9.99.1")
    assert not logged_in(client)
