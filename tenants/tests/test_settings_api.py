import pytest

from tenants.models import Branch, Tag, User
from tenants.tests.factories import BranchFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- role matrix ---------------------------------------------------------------------------

WRITES = [
    # (method, path template, body, roles allowed)
    ("patch", "/api/settings/gym", {"phone": "+12125550199"}, {"admin"}),
    ("post", "/api/settings/branches", {"name": "Uptown"}, {"admin"}),
    ("patch", "/api/settings/branches/{branch}", {"name": "Renamed"}, {"admin"}),
    ("post", "/api/settings/users", {"email": "n@x.com", "password": "long-enough-pass-1"}, {"admin"}),
    ("patch", "/api/settings/users/{agent}", {"first_name": "Z"}, {"admin"}),
    ("post", "/api/settings/tags", {"name": "Fresh", "color": "#000000"}, {"admin", "manager"}),
    ("patch", "/api/settings/tags/{tag}", {"color": "#FFFFFF"}, {"admin", "manager"}),
    ("delete", "/api/settings/tags/{tag}", None, {"admin", "manager"}),
    ("delete", "/api/settings/branches/{spare_branch}", None, {"admin"}),
    ("delete", "/api/settings/users/{spare_user}", None, {"admin"}),
]


@pytest.mark.parametrize("role", ["admin", "manager", "agent"])
@pytest.mark.parametrize("method,template,body,allowed", WRITES, ids=[f"{w[0]} {w[1]}" for w in WRITES])
def test_settings_write_role_matrix(role, method, template, body, allowed, api_client, gym, branch,
                                    admin_user, manager_user, agent_user):
    users = {"admin": admin_user, "manager": manager_user, "agent": agent_user}
    ids = {"branch": branch.id, "agent": agent_user.id, "tag": TagFactory(gym=gym).id,
           "spare_branch": BranchFactory(gym=gym).id, "spare_user": UserFactory(gym=gym).id}
    response = getattr(api_client(users[role]), method)(template.format(**ids), body, format="json")
    if role in allowed:
        assert response.status_code in (200, 201, 204), response.content
    else:
        assert response.status_code == 403
        assert response.json() == {"detail": "Your role does not allow this action."}


@pytest.mark.parametrize("path", ["/api/settings/gym", "/api/settings/branches", "/api/settings/users",
                                  "/api/settings/tags"])
def test_every_role_reads_settings(path, agent_client, manager_client):
    assert agent_client.get(path).status_code == 200
    assert manager_client.get(path).status_code == 200


# --- gym -----------------------------------------------------------------------------------


def test_gym_settings_shape_and_update(admin_client, gym):
    body = admin_client.get("/api/settings/gym/").json()
    assert set(body) == {"id", "name", "timezone", "country", "phone", "address", "call_hours_start",
                         "call_hours_end", "call_days", "confirmation_calls_enabled", "confirmation_hours_before",
                         "no_show_margin_minutes", "recall_calls_enabled"}
    response = admin_client.patch("/api/settings/gym", {"timezone": "Europe/Berlin", "country": "de",
                                                        "call_hours_start": "08:30", "call_days": ["sat", "mon"]},
                                  format="json")
    assert response.status_code == 200, response.content
    assert response.json()["country"] == "DE"
    assert response.json()["call_hours_start"] == "08:30"
    assert response.json()["call_days"] == ["mon", "sat"]
    gym.refresh_from_db()
    assert gym.timezone == "Europe/Berlin"


@pytest.mark.parametrize("body,field", [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"country": "XX"}, "country"),
    ({"call_days": ["funday"]}, "call_days"),
    ({"call_hours_start": "20:00", "call_hours_end": "08:00"}, "call_hours_end"),
    ({"call_hours_start": "25:99"}, "call_hours_start"),
])
def test_gym_settings_reject_bad_values_naming_the_field(admin_client, body, field):
    response = admin_client.patch("/api/settings/gym", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


# --- branches --------------------------------------------------------------------------------


def test_branch_timezone_defaults_to_the_gyms(admin_client, gym):
    response = admin_client.post("/api/settings/branches", {"name": "Uptown"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["timezone"] == gym.timezone
    assert Branch.objects.for_gym(gym).filter(name="Uptown").exists()


def test_branch_opening_hours_are_validated(admin_client, branch):
    good = admin_client.patch(f"/api/settings/branches/{branch.id}",
                              {"opening_hours": {"mon": ["07:00", "21:00"], "sun": None}}, format="json")
    assert good.status_code == 200, good.content
    assert good.json()["opening_hours"]["mon"] == ["07:00", "21:00"]
    assert good.json()["opening_hours"]["sun"] is None
    bad = admin_client.patch(f"/api/settings/branches/{branch.id}",
                             {"opening_hours": {"mon": ["21:00", "07:00"]}}, format="json")
    assert bad.status_code == 400 and "opening_hours" in bad.json()


def test_empty_branch_can_be_deleted_and_a_second_delete_is_404(admin_client, gym):
    spare = BranchFactory(gym=gym)
    assert admin_client.delete(f"/api/settings/branches/{spare.id}").status_code == 204
    assert admin_client.delete(f"/api/settings/branches/{spare.id}").status_code == 404


def test_branch_holding_leads_cannot_be_deleted(admin_client, gym, branch):
    from leads.tests.factories import LeadFactory

    LeadFactory(gym=gym, branch=branch)
    response = admin_client.delete(f"/api/settings/branches/{branch.id}")
    assert response.status_code == 409
    assert "deactivate" in response.json()["detail"]
    assert Branch.objects.for_gym(gym).filter(pk=branch.pk).exists()


# --- users -----------------------------------------------------------------------------------


def test_user_list_shape_has_no_password(admin_client, agent_user):
    rows = admin_client.get("/api/settings/users?limit=100").json()["data"]
    assert {row["email"] for row in rows} >= {"agent@home.gym", "admin@home.gym"}
    assert set(rows[0]) == {"id", "email", "first_name", "last_name", "phone", "role", "branch_id", "is_active",
                            "created_at"}


def test_create_user_validates_password_and_email_uniqueness_across_gyms(admin_client, other_gym):
    UserFactory(gym=other_gym, email="taken@else.where")
    weak = admin_client.post("/api/settings/users", {"email": "a@b.co", "password": "123"}, format="json")
    assert weak.status_code == 400 and "password" in weak.json()
    missing = admin_client.post("/api/settings/users", {"email": "a@b.co"}, format="json")
    assert missing.status_code == 400 and "password" in missing.json()
    taken = admin_client.post("/api/settings/users", {"email": "TAKEN@else.where", "password": "long-enough-pass-1"},
                              format="json")
    assert taken.status_code == 400 and "email" in taken.json()


def test_delete_user_deactivates_and_revokes(admin_client, api_client, agent_user):
    agent = api_client(agent_user)
    assert admin_client.delete(f"/api/settings/users/{agent_user.id}").status_code == 204
    agent_user.refresh_from_db()
    assert agent_user.is_active is False
    assert User.objects.filter(pk=agent_user.pk).exists()
    assert agent.get("/api/auth/me").status_code == 401


def test_user_branch_must_be_of_the_gym(admin_client, other_gym):
    foreign = BranchFactory(gym=other_gym)
    response = admin_client.post("/api/settings/users", {"email": "n@x.com", "password": "long-enough-pass-1",
                                                         "branch_id": str(foreign.id)}, format="json")
    assert response.status_code == 400 and "branch_id" in response.json()


# --- tags ------------------------------------------------------------------------------------


def test_tag_names_are_unique_per_gym_case_insensitively(manager_client, gym, other_gym):
    TagFactory(gym=gym, name="VIP")
    TagFactory(gym=other_gym, name="Hot")
    clash = manager_client.post("/api/settings/tags", {"name": "vip"}, format="json")
    assert clash.status_code == 400 and "name" in clash.json()
    fine = manager_client.post("/api/settings/tags", {"name": "hot", "color": "#00ff00"}, format="json")
    assert fine.status_code == 201
    assert Tag.objects.for_gym(gym).filter(name="hot").exists()


def test_tag_color_must_be_hex(manager_client):
    response = manager_client.post("/api/settings/tags", {"name": "X", "color": "red"}, format="json")
    assert response.status_code == 400 and "color" in response.json()


def test_gymless_superuser_gets_no_tenant_data(api_client, gym, admin_user):
    root = User.objects.create_superuser("root@ops.example", "long-enough-pass-1")
    client = api_client(root)
    assert client.get("/api/auth/me").status_code == 200
    for path in ("/api/settings/branches", "/api/settings/users", "/api/settings/gym"):
        assert client.get(path).status_code == 403
