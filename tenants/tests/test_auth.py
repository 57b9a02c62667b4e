import pytest
from django.urls import reverse

from tenants.models import User
from tenants.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login"


def login(client, email, password=TEST_PASSWORD, fmt="json"):
    return client.post(LOGIN, {"username": email, "password": password}, format=fmt)


def test_login_with_json_returns_the_contract_shape(api_client, admin_user):
    response = login(api_client(), "ADMIN@home.gym")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert body["user_id"] == str(admin_user.id)
    assert body["username"] == "admin@home.gym"
    assert body["role"] == "admin" and body["is_admin"] is True
    assert body["gym_id"] == str(admin_user.gym_id)
    assert body["branch_id"] == str(admin_user.branch_id)
    me = api_client()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert me.get("/api/auth/me").json()["email"] == "admin@home.gym"


def test_login_with_form_body_as_the_spa_posts_it(api_client, agent_user):
    client = api_client()
    response = client.post(LOGIN, f"username=agent%40home.gym&password={TEST_PASSWORD}",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.content
    assert response.json()["is_admin"] is False


def test_login_accepts_email_instead_of_username(api_client, agent_user):
    response = api_client().post(LOGIN, {"email": "agent@home.gym", "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200


def test_wrong_password_unknown_user_and_inactive_user_get_the_same_401(api_client, agent_user):
    UserFactory(gym=agent_user.gym, email="gone@home.gym", is_active=False)
    answers = [
        login(api_client(), "agent@home.gym", "wrong-password"),
        login(api_client(), "nobody@home.gym"),
        login(api_client(), "gone@home.gym"),
    ]
    assert {r.status_code for r in answers} == {401}
    assert len({r.content for r in answers}) == 1
    assert answers[0]["WWW-Authenticate"].startswith("Bearer")


def test_login_without_password_is_400_naming_the_field(api_client):
    response = api_client().post(LOGIN, {"username": "a@b.c"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_missing_or_bad_token_is_401_with_www_authenticate(api_client, admin_user):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer not-a-token"}, {"HTTP_AUTHORIZATION": "Bearer a b"}):
        response = api_client().get("/api/auth/me", **headers)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "detail" in response.json()


def test_refresh_rotates_and_the_old_refresh_token_stops_working(api_client, admin_user):
    tokens = login(api_client(), admin_user.email).json()
    first = api_client().post("/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}, format="json")
    assert first.status_code == 200, first.content
    new = first.json()
    assert new["refresh_token"] != tokens["refresh_token"]
    replay = api_client().post("/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}, format="json")
    assert replay.status_code == 401
    alias = api_client().post("/api/auth/refresh-token/", {"refresh": new["refresh_token"]}, format="json")
    assert alias.status_code == 200


def test_refresh_with_garbage_is_401_and_without_token_400(api_client):
    assert api_client().post("/api/auth/refresh", {"refresh_token": "x"}, format="json").status_code == 401
    assert api_client().post("/api/auth/refresh", {}, format="json").status_code == 400


def test_logout_revokes_the_refresh_token(api_client, admin_user):
    tokens = login(api_client(), admin_user.email).json()
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert client.post("/api/auth/logout", {"refresh_token": tokens["refresh_token"]}, format="json").status_code == 204
    again = api_client().post("/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}, format="json")
    assert again.status_code == 401


def test_logout_cannot_revoke_another_users_token(api_client, admin_user, agent_user):
    victim = login(api_client(), agent_user.email).json()
    api_client(admin_user).post("/api/auth/logout", {"refresh_token": victim["refresh_token"]}, format="json")
    still = api_client().post("/api/auth/refresh", {"refresh_token": victim["refresh_token"]}, format="json")
    assert still.status_code == 200


def test_change_password_revokes_every_existing_token(api_client, agent_user):
    first = login(api_client(), agent_user.email).json()
    second = login(api_client(), agent_user.email).json()
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {first['access_token']}")
    response = client.post("/api/auth/change-password",
                           {"old_password": TEST_PASSWORD, "new_password": "a-much-better-secret-42"}, format="json")
    assert response.status_code == 204, response.content
    for pair in (first, second):
        stale = api_client()
        stale.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access_token']}")
        assert stale.get("/api/auth/me").status_code == 401
        refresh = api_client().post("/api/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json")
        assert refresh.status_code == 401
    assert login(api_client(), agent_user.email, "a-much-better-secret-42").status_code == 200


def test_change_password_checks_the_old_one_and_the_validators(agent_client):
    wrong = agent_client.post("/api/auth/change-password", {"old_password": "nope", "new_password": "x" * 20},
                              format="json")
    assert wrong.status_code == 400 and "old_password" in wrong.json()
    weak = agent_client.post("/api/auth/change-password", {"old_password": TEST_PASSWORD, "new_password": "123"},
                             format="json")
    assert weak.status_code == 400 and "new_password" in weak.json()


def test_deactivated_users_next_request_is_401(api_client, admin_client, agent_user):
    agent = api_client(agent_user)
    assert agent.get("/api/auth/me").status_code == 200
    assert admin_client.patch(f"/api/settings/users/{agent_user.id}", {"is_active": False},
                              format="json").status_code == 200
    assert agent.get("/api/auth/me").status_code == 401


def test_me_shows_gym_and_branch_and_patch_changes_only_name_and_phone(agent_client, agent_user):
    body = agent_client.get("/api/auth/me/").json()
    assert body["gym"] == {"id": str(agent_user.gym.id), "name": agent_user.gym.name,
                           "timezone": agent_user.gym.timezone}
    assert body["branch"]["id"] == str(agent_user.branch_id)
    response = agent_client.patch("/api/auth/me", {"first_name": "Sam", "phone": "555", "role": "admin",
                                                   "email": "evil@x.com"}, format="json")
    assert response.status_code == 200
    agent_user.refresh_from_db()
    assert (agent_user.first_name, agent_user.phone, agent_user.role, agent_user.email) == (
        "Sam", "555", "agent", "agent@home.gym")


@pytest.mark.usefixtures("one_throttle_window")
def test_login_is_throttled_per_username(api_client, agent_user, settings):
    settings.LOGIN_LOCKOUT_USERNAME_FAILURES = settings.LOGIN_LOCKOUT_IP_FAILURES = 100
    statuses = [login(api_client(), "agent@home.gym", "bad").status_code for _ in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]


@pytest.mark.usefixtures("one_throttle_window")
def test_login_is_throttled_per_ip_across_usernames(api_client, settings):
    settings.LOGIN_LOCKOUT_USERNAME_FAILURES = settings.LOGIN_LOCKOUT_IP_FAILURES = 100
    statuses = [login(api_client(), f"u{i}@x.com", "bad").status_code for i in range(11)]
    assert statuses[-1] == 429
    assert "detail" in login(api_client(), "z@x.com", "bad").json()


def test_admin_creates_users_through_auth_users(admin_client, gym):
    response = admin_client.post("/api/auth/users", {"email": "New@Home.gym", "password": "long-enough-pass-1",
                                                     "role": "manager", "first_name": "Nia"}, format="json")
    assert response.status_code == 201, response.content
    user = User.objects.get(email="new@home.gym")
    assert user.gym == gym and user.role == "manager"


def test_agents_cannot_create_users(agent_client):
    response = agent_client.post(reverse("auth-users"), {"email": "x@y.z", "password": "long-enough-pass-1"},
                                 format="json")
    assert response.status_code == 403


def test_repeated_failures_lock_the_username_even_with_the_right_password(api_client, agent_user):
    for _ in range(5):
        assert login(api_client(), "agent@home.gym", "bad").status_code == 401
    locked = login(api_client(), "agent@home.gym")
    assert locked.status_code == 429
    assert "failed login attempts" in locked.json()["detail"]
    assert int(locked["Retry-After"]) > 0


def test_success_resets_the_username_failure_count(api_client, agent_user):
    for _ in range(4):
        login(api_client(), "agent@home.gym", "bad")
    assert login(api_client(), "agent@home.gym").status_code == 200
    for _ in range(4):
        assert login(api_client(), "agent@home.gym", "bad").status_code == 401
    assert login(api_client(), "agent@home.gym").status_code == 200


def test_failures_across_usernames_lock_the_ip(api_client, settings):
    settings.LOGIN_LOCKOUT_IP_FAILURES = 3
    for i in range(3):
        login(api_client(), f"u{i}@x.com", "bad")
    assert login(api_client(), "fresh@x.com", "bad").status_code == 429
