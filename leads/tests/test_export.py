"""GET /api/leads/export: a streamed CSV of the filtered list, safe to open in a spreadsheet."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from leads.export import COLUMNS, neutralise
from leads.models import Lead, LeadTag
from tenants.tests.factories import TagFactory, UserFactory

from .factories import LeadFactory

pytestmark = pytest.mark.django_db

URL = "/api/leads/export"


def read_csv(response):
    assert response.status_code == 200, response.content if not response.streaming else ""
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_streams_every_filtered_lead_with_the_api_field_names(manager_client, gym, branch):
    vip = TagFactory(gym=gym, name="VIP")
    keep = LeadFactory(gym=gym, branch=branch, first_name="Keep", status="new", score=0.5, email="k@example.com")
    LeadTag.objects.for_gym(gym).create(gym=gym, lead=keep, tag=vip)
    LeadFactory(gym=gym, branch=branch, first_name="Drop", status="lost")
    response = manager_client.get(URL, {"status": "new"})
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert [row["first_name"] for row in rows] == ["Keep"]
    row = rows[0]
    assert list(row) == COLUMNS
    assert row["id"] == str(keep.id) and row["branch_name"] == "Main" and row["tags"] == "VIP"
    assert row["phone"] == "'" + keep.phone  # "+1..." would be read as a formula
    assert row["score"] == "0.5" and row["do_not_call"] == "no" and row["appointment_date"] == ""
    assert row["created_at"].endswith(("-05:00", "-04:00"))  # the gym's timezone, New York


def test_formula_cells_are_neutralised(manager_client, gym, branch):
    LeadFactory(gym=gym, branch=branch, first_name="=HYPERLINK(\"http://evil.example\",\"click\")", last_name="@SUM(1)",
                notes="-2+3", interest="\tTabbed", interest_location="\rReturn", lost_reason="+cmd", status="lost",
                email="plain@example.com")
    row = read_csv(manager_client.get(URL))[0]
    assert row["first_name"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert row["last_name"] == "'@SUM(1)" and row["notes"] == "'-2+3" and row["lost_reason"] == "'+cmd"
    assert row["interest"] == "'\tTabbed" and row["interest_location"] == "'\rReturn"
    assert row["email"] == "plain@example.com"


@pytest.mark.parametrize("value,expected", [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"),
                                            ("\tx", "'\tx"), ("\rx", "'\rx"), ("a=b", "a=b"), ("", "")])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_same_filters_as_the_list(manager_client, gym, branch):
    LeadFactory(gym=gym, branch=branch, first_name="Jane", last_name="Doe", phone="+12125550123")
    LeadFactory(gym=gym, branch=branch, first_name="John", last_name="Roe", phone="+12125550999")
    rows = read_csv(manager_client.get(URL, {"search": "555 0123", "sort_by": "first_name"}))
    assert [row["first_name"] for row in rows] == ["Jane"]
    response = manager_client.get(URL, {"sort_by": "nope"})
    assert response.status_code == 400 and "sort_by" in response.json()
    response = manager_client.get(URL, {"status": "hot"}, HTTP_ACCEPT="text/csv")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"


def test_agent_cannot_export(agent_client, gym):
    assert agent_client.get(URL).status_code == 403


def test_export_of_another_gym_shows_nothing_of_it(manager_client, gym, other_gym):
    LeadFactory(gym=other_gym, first_name="Foreign")
    rows = read_csv(manager_client.get(URL))
    assert rows == []


def test_an_export_imports_back_unchanged(manager_client, gym, branch, other_gym, api_client):
    LeadFactory(gym=gym, branch=branch, first_name="Jane", last_name="Doe", phone="+12125550123", notes="=1+1",
                status="qualified", source="referral", score=0.8)
    exported = b"".join(manager_client.get(URL).streaming_content)
    importer = api_client(UserFactory(gym=other_gym, role="admin", branch=None))
    response = importer.post("/api/leads/import", {"file": SimpleUploadedFile("leads.csv", exported)},
                             format="multipart")
    assert response.json()["created"] == 1, response.content
    copy = Lead.objects.for_gym(other_gym).get()
    assert (copy.phone, copy.notes, copy.status, copy.source, copy.score) == (
        "+12125550123", "=1+1", "qualified", "referral", 0.8)


def test_many_rows_are_streamed_in_chunks(manager_client, gym, branch, monkeypatch, data_queries):
    from leads import export

    monkeypatch.setattr(export, "CHUNK_SIZE", 10)
    Lead.objects.for_gym(gym).bulk_create([
        Lead(gym=gym, branch=branch, first_name=f"L{n}", last_name="X", phone=f"+1212555{n:04d}") for n in range(35)])
    response = manager_client.get(URL)
    with data_queries(8, at_most=True):  # 4 chunks of leads and 4 of tags, whatever the row count
        rows = read_csv(response)
    assert len(rows) == 35


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security is PostgreSQL's")
def test_the_streamed_body_is_read_in_the_requests_gym_under_row_level_security(manager_client, gym, branch):
    """The body is produced after the view returned; production has no session-wide bypass, so
    the stream must open its own scope (tenants.scope.in_current_scope) to see any row."""
    vip = TagFactory(gym=gym, name="VIP")
    lead = LeadFactory(gym=gym, branch=branch, first_name="Streamed")
    LeadTag.objects.for_gym(gym).create(gym=gym, lead=lead, tag=vip)
    response = manager_client.get(URL)
    with connection.cursor() as cursor:  # what a production connection looks like between requests
        cursor.execute("SELECT set_config('app.rls_bypass', 'off', true), set_config('app.gym_id', '', true)")
    rows = read_csv(response)
    assert [(row["first_name"], row["tags"]) for row in rows] == [("Streamed", "VIP")]
