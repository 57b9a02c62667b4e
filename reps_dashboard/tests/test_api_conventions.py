"""Shared API behaviour: list envelope, pagination and sorting validation, slashes, errors,
health, schema and migrations."""

import io

import pytest
from django.core.management import call_command

from tenants.tests.factories import TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tags(gym):
    return [TagFactory(gym=gym, name=f"Tag {i:02d}") for i in range(25)]


def test_list_envelope_and_page_arithmetic(admin_client, tags):
    body = admin_client.get("/api/settings/tags?page=2&limit=10").json()
    assert body["pagination"] == {"total": 25, "page": 2, "limit": 10, "pages": 3}
    assert [row["name"] for row in body["data"]] == [f"Tag {i:02d}" for i in range(10, 20)]


def test_defaults_are_page_1_limit_10(admin_client, tags):
    body = admin_client.get("/api/settings/tags").json()
    assert body["pagination"] == {"total": 25, "page": 1, "limit": 10, "pages": 3}


def test_page_past_the_end_is_empty_not_an_error(admin_client, tags):
    response = admin_client.get("/api/settings/tags?page=99")
    assert response.status_code == 200
    assert response.json()["data"] == []


def test_empty_list_has_one_page(admin_client, gym):
    body = admin_client.get("/api/settings/tags").json()
    assert body == {"data": [], "pagination": {"total": 0, "page": 1, "limit": 10, "pages": 1}}


@pytest.mark.parametrize("query,field", [
    ("page=0", "page"), ("page=-1", "page"), ("page=abc", "page"), ("page=1.5", "page"),
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=ten", "limit"), ("page=100000000000000000000", "page"),
])
def test_bad_pagination_is_400_naming_the_parameter(admin_client, query, field):
    response = admin_client.get(f"/api/settings/tags?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_unknown_sort_field_is_400_listing_the_allowed_ones(admin_client):
    response = admin_client.get("/api/settings/tags?sort_by=password")
    assert response.status_code == 400
    assert "created_at" in response.json()["sort_by"][0]


def test_bad_sort_order_is_400(admin_client):
    assert admin_client.get("/api/settings/tags?sort_by=name&sort_order=up").status_code == 400


def test_sorting_descending_with_stable_tiebreak(admin_client, gym):
    for name in ("b", "a", "c"):
        TagFactory(gym=gym, name=name)
    body = admin_client.get("/api/settings/tags?sort_by=name&sort_order=desc").json()
    assert [row["name"] for row in body["data"]] == ["c", "b", "a"]


def test_pages_never_repeat_or_skip_rows_when_sort_keys_tie(admin_client, gym):
    TagFactory.create_batch(23, gym=gym)
    seen = []
    for page in (1, 2, 3):
        seen += [r["id"] for r in admin_client.get(f"/api/settings/tags?sort_by=created_at&page={page}").json()["data"]]
    assert len(seen) == len(set(seen)) == 23


@pytest.mark.parametrize("path", ["/api/settings/tags", "/api/settings/tags/", "/api/auth/me", "/api/auth/me/"])
def test_routes_answer_with_and_without_trailing_slash_without_redirect(admin_client, path):
    assert admin_client.get(path).status_code == 200


def test_malformed_id_in_path_is_404_json(admin_client):
    response = admin_client.get("/api/settings/tags/not-a-uuid")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_unknown_route_is_json_404(admin_client):
    response = admin_client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_malformed_json_is_a_400_with_a_message(admin_client):
    response = admin_client.generic("POST", "/api/settings/tags", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_health_reports_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_is_503_when_the_database_fails(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise RuntimeError("db down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_docs_and_schema_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/redoc/").status_code == 200


def test_openapi_schema_validates_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=io.StringIO())


def test_every_operation_documents_its_errors():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            if path != "/health/":
                assert "401" in codes or method == "post" and "auth" in path, f"{method} {path}"
            if "{" in path:
                assert "404" in codes, f"{method} {path}"


def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


@pytest.mark.parametrize("raw,fragment", [
    ('{"name": "a", "name": "b"}', "duplicate key"),
    ('{"name": "a", "color": 1e309}', "out of range"),
    ('{"name": NaN}', "NaN"),
    ("[" * 1000 + "]" * 1000, "nested too deeply"),
    ('{"name": "\\ud800"}', None),
])
def test_hostile_json_is_a_clear_400_and_writes_nothing(admin_client, gym, raw, fragment):
    from tenants.models import Tag

    response = admin_client.generic("POST", "/api/settings/tags", raw, content_type="application/json")
    assert response.status_code == 400, response.content
    if fragment:
        assert fragment in response.json()["detail"]
    assert not Tag.objects.for_gym(gym).exists()


def test_oversized_body_is_413_before_it_is_read(admin_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = admin_client.generic("POST", "/api/settings/tags", '{"name": "' + "x" * 2000 + '"}',
                                    content_type="application/json")
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_nul_in_query_string_is_400(admin_client):
    response = admin_client.get("/api/settings/tags?sort_by=na%00me")
    assert response.status_code == 400


def test_api_responses_are_not_cacheable(admin_client):
    response = admin_client.get("/api/settings/tags")
    assert "no-store" in response["Cache-Control"]


# Writes that take no body by design (the path says everything).
BODYLESS_WRITES = {("post", "/api/settings/campaigns/{campaign_id}/schedule/"),
                   ("post", "/api/voice/leads/{id}/do-not-call/")}


def test_every_write_documents_its_body_and_answer():
    """``spectacular --validate`` accepts a write that lost its request body (a decorator moved onto
    the wrong method does that); the SPA's generated client would not."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    missing, unanswered = [], []
    for path, operations in schema["paths"].items():
        for method in ("post", "put", "patch"):
            operation = operations.get(method)
            if operation is None:
                continue
            if "requestBody" not in operation and (method, path) not in BODYLESS_WRITES:
                missing.append(f"{method.upper()} {path}")
            if not any(code.startswith("2") for code in operation["responses"]):
                unanswered.append(f"{method.upper()} {path}")
    assert missing == [] and unanswered == []
    lead_put = schema["paths"]["/api/leads/{id}/"]["put"]
    assert lead_put["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/LeadDetail")
