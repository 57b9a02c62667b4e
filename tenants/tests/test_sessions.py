"""A new password or a deactivation ends every session, by whatever path it is made; the
change-password endpoint is no password oracle; a gym always keeps an active admin."""

import pytest
from django.test import Client

from tenants.models import Role, User
from tenants.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("one_throttle_window")]

NEW_PASSWORD = "a-much-better-secret-42"


def tokens_of(api_client, user):
    pair = api_client().post("/api/auth/login", {"username": user.email, "password": TEST_PASSWORD},
                             format="json").json()
    assert "access_token" in pair, pair
    return pair


def assert_dead(api_client, pair):
    stale = api_client()
    stale.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access_token']}")
    assert stale.get("/api/auth/me").status_code == 401
    assert api_client().post("/api/auth/refresh", {"refresh_token": pair["refresh_token"]},
                             format="json").status_code == 401


def admin_session(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_password_set_by_an_admin_in_the_admin_ends_the_users_sessions(api_client, staff_admin, agent_user):
    pair = tokens_of(api_client, agent_user)
    response = admin_session(staff_admin).post(f"/admin/tenants/user/{agent_user.pk}/password/",
                                               {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                                                "usable_password": "true"})
    assert response.status_code == 302, response.content
    assert_dead(api_client, pair)


def test_a_users_own_admin_password_change_ends_their_tokens(api_client, staff_admin):
    pair = tokens_of(api_client, staff_admin)
    response = admin_session(staff_admin).post("/admin/password_change/", {
        "old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content
    assert_dead(api_client, pair)


def test_a_deactivation_saved_by_any_path_ends_every_session_and_reactivating_keeps_them_dead(api_client,
                                                                                             agent_user):
    pair = tokens_of(api_client, agent_user)
    agent_user.is_active = False
    agent_user.save(update_fields=["is_active"])  # any path: the admin form, a command, a script
    assert_dead(api_client, pair)
    user = User.objects.get(pk=agent_user.pk)
    user.is_active = True
    user.save()
    assert_dead(api_client, pair)
    assert tokens_of(api_client, user)["access_token"]


def test_deactivating_through_the_api_and_reactivating_keeps_old_tokens_dead(api_client, admin_client, agent_user):
    pair = tokens_of(api_client, agent_user)
    url = f"/api/settings/users/{agent_user.id}"
    assert admin_client.patch(url, {"is_active": False}, format="json").status_code == 200
    assert admin_client.patch(url, {"is_active": True}, format="json").status_code == 200
    assert_dead(api_client, pair)


def test_a_hasher_upgrade_at_login_ends_no_session(api_client, agent_user, settings):
    pair = tokens_of(api_client, agent_user)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    tokens_of(api_client, agent_user)  # rehashes the MD5 password as PBKDF2 and saves it
    assert User.objects.get(pk=agent_user.pk).password.startswith("pbkdf2_")
    alive = api_client()
    alive.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access_token']}")
    assert alive.get("/api/auth/me").status_code == 200


def test_wrong_old_passwords_lock_change_password_like_logins(api_client, agent_client, agent_user):
    for _ in range(5):
        wrong = agent_client.post("/api/auth/change-password",
                                  {"old_password": "guess", "new_password": NEW_PASSWORD}, format="json")
        assert wrong.status_code == 400 and "old_password" in wrong.json()
    right = agent_client.post("/api/auth/change-password",
                              {"old_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}, format="json")
    assert right.status_code == 429 and int(right["Retry-After"]) > 0
    login = api_client().post("/api/auth/login", {"username": agent_user.email, "password": TEST_PASSWORD},
                              format="json")
    assert login.status_code == 429  # the same counters as the login
    assert User.objects.get(pk=agent_user.pk).check_password(TEST_PASSWORD)


def test_change_password_is_throttled(agent_client, settings):
    settings.LOGIN_LOCKOUT_USERNAME_FAILURES = settings.LOGIN_LOCKOUT_IP_FAILURES = 100
    statuses = [agent_client.post("/api/auth/change-password", {"old_password": "guess", "new_password": NEW_PASSWORD},
                                  format="json").status_code for _ in range(11)]
    assert statuses == [400] * 10 + [429]


@pytest.mark.parametrize("change", [{"role": "manager"}, {"is_active": False}, {"role": "agent", "is_active": False}])
def test_the_last_active_admin_cannot_demote_or_deactivate_themselves(admin_client, admin_user, change):
    response = admin_client.patch(f"/api/settings/users/{admin_user.id}", change, format="json")
    assert response.status_code == 409
    assert "last active admin" in response.json()["detail"]
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN and admin_user.is_active


def test_the_last_active_admin_cannot_delete_themselves(admin_client, admin_user):
    response = admin_client.delete(f"/api/settings/users/{admin_user.id}")
    assert response.status_code == 409
    assert User.objects.get(pk=admin_user.pk).is_active


def test_an_admin_may_step_down_when_another_active_admin_remains(admin_client, admin_user, gym, branch, other_gym):
    UserFactory(gym=other_gym, role=Role.ADMIN)  # another gym's admin does not count
    UserFactory(gym=gym, branch=branch, role=Role.ADMIN, is_active=False)  # nor an inactive one
    url = f"/api/settings/users/{admin_user.id}"
    assert admin_client.patch(url, {"role": "manager"}, format="json").status_code == 409
    UserFactory(gym=gym, branch=branch, role=Role.ADMIN)
    assert admin_client.patch(url, {"role": "manager"}, format="json").status_code == 200
