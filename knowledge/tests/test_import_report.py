"""Bounded knowledge import reports: the first 1,000 errors, counts per field, a CSV of every failed item."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reps_dashboard.import_report import MAX_LISTED

pytestmark = pytest.mark.django_db

FILE_IMPORT = "/api/knowledge/import/file"


def import_json(client, items):
    file = SimpleUploadedFile("faq.json", json.dumps(items).encode())
    response = client.post(FILE_IMPORT, {"file": file, "category": "general"}, format="multipart")
    assert response.status_code == 201, response.content[:300]
    return response


def test_many_bad_items_answer_a_bounded_report_and_a_csv_of_every_one(manager_client, agent_client):
    items = [{"question": "Hi?", "answer": "x", "priority": 99} for _ in range(1500)]
    items.append({"question": "Do you have lockers?", "answer": "Yes, free lockers."})
    response = import_json(manager_client, items)
    body = response.json()
    assert (body["status"], body["created"], body["failed"]) == ("completed", 1, 1500)
    assert len(body["errors"]) == MAX_LISTED and body["errors_truncated"] is True
    assert body["error_count"] == 4500
    assert body["errors_by_field"] == {"question": 1500, "answer": 1500, "priority": 1500}
    assert body == agent_client.get(f"{FILE_IMPORT.removesuffix('/file')}/{body['job_id']}").json()
    download = agent_client.get(body["errors_csv"])
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["row", "question", "answer", "category", "priority", "errors"]
    assert len(rows) == 1501 and rows[1][:4] == ["1", "Hi?", "x", "general"]
    assert "priority: The priority must be" in rows[1][5]


def test_an_import_without_failed_items_has_no_errors_csv(manager_client):
    body = import_json(manager_client, [{"question": "Is there a sauna?", "answer": "Yes, a Finnish one."}]).json()
    assert (body["errors_csv"], body["error_count"], body["errors_truncated"]) == (None, 0, False)
    assert manager_client.get(f"/api/knowledge/import/{body['job_id']}/errors").status_code == 404


def test_a_file_that_cannot_be_read_counts_one_file_error(manager_client):
    file = SimpleUploadedFile("faq.json", b"[{oops")
    body = manager_client.post(FILE_IMPORT, {"file": file}, format="multipart").json()
    assert (body["status"], body["error_count"], body["errors_by_field"]) == ("failed", 1, {"file": 1})
