"""Bounded lead import reports: a file of bad rows answers with the first 1,000 errors, counts per
field and a CSV of every failed row; a branch deleted during an import into it is never a 500."""

import csv
import io
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from leads import importer
from leads.activity import Actor
from leads.models import Lead, LeadImportErrors
from reps_dashboard.import_report import MAX_LISTED
from tenants.models import Branch, Role
from tenants.tests.factories import BranchFactory, GymFactory, UserFactory

URL = "/api/leads/import"
BAD_ROWS = 5000


def upload(client, content, **fields):
    file = SimpleUploadedFile("leads.csv", content.encode(), "text/csv")
    return client.post(URL, {"file": file, **fields}, format="multipart")


def bad_file(rows=BAD_ROWS):
    lines = ["first_name,last_name,phone,email,notes"]
    lines += [f"Ana{i},,not-a-phone,bad-{i},=cmd()" for i in range(rows)]  # three errors per row
    lines.append("Good,Row,+14155550100,good@example.com,fine")
    return "\n".join(lines) + "\n"


def download(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.django_db
def test_a_file_of_bad_rows_answers_a_bounded_report_and_a_csv_of_every_failed_row(admin_client, gym, settings):
    settings.LEAD_IMPORT_INLINE_MAX_ROWS = BAD_ROWS + 1  # answered inline (a job's report: the next test)
    response = upload(admin_client, bad_file())
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert (body["total"], body["created"], body["failed"]) == (BAD_ROWS + 1, 1, BAD_ROWS)
    assert len(body["errors"]) == MAX_LISTED and body["errors_truncated"] is True
    assert body["error_count"] == 3 * BAD_ROWS
    assert body["errors_by_field"] == {"last_name": BAD_ROWS, "phone": BAD_ROWS, "email": BAD_ROWS}
    assert len(response.content) < 200_000  # was about 60 bytes per error, unbounded
    rows = download(admin_client, body["errors_csv"])
    assert rows[0] == ["row", "first_name", "last_name", "phone", "email", "notes", "errors"]
    assert len(rows) == BAD_ROWS + 1
    assert rows[1][:6] == ["2", "Ana0", "", "not-a-phone", "bad-0", "'=cmd()"]  # formulas neutralised
    assert "last_name: Last name is required." in rows[1][6] and "phone:" in rows[1][6]
    assert rows[-1][0] == str(BAD_ROWS + 1)


@pytest.mark.django_db
def test_an_import_job_keeps_the_same_bounded_report(admin_client, gym, settings, django_capture_on_commit_callbacks):
    settings.LEAD_IMPORT_INLINE_MAX_ROWS = 10
    with django_capture_on_commit_callbacks(execute=True):  # the worker's run (eager here)
        response = upload(admin_client, bad_file(1200))
    assert response.status_code == 202, response.content[:500]
    job = admin_client.get(f"{URL}/{response.json()['id']}").json()
    report = job["result"]
    assert (job["status"], report["total"], report["created"], report["failed"]) == ("completed", 1201, 1, 1200)
    assert (len(report["errors"]), report["error_count"], report["errors_truncated"]) == (MAX_LISTED, 3600, True)
    assert report["errors_by_field"] == {"last_name": 1200, "phone": 1200, "email": 1200}
    rows = download(admin_client, report["errors_csv"])
    assert len(rows) == 1200 + 1 and rows[1][1] == "Ana0"


@pytest.mark.django_db
def test_the_errors_csv_can_be_fixed_and_imported_again(admin_client, gym):
    body = upload(admin_client, "first_name,last_name,phone\nAna,,+14155550100\n").json()
    rows = download(admin_client, body["errors_csv"])
    rows[1][2] = "Diaz"
    fixed = io.StringIO()
    csv.writer(fixed).writerows(rows)
    again = upload(admin_client, fixed.getvalue()).json()
    assert (again["created"], again["failed"], again["errors_csv"]) == (1, 0, None)


@pytest.mark.django_db
def test_a_dry_run_keeps_its_errors_csv_and_no_lead(admin_client, gym):
    body = upload(admin_client, bad_file(3), dry_run="true").json()
    assert body["failed"] == 3 and not Lead.objects.for_gym(gym).exists()
    assert len(download(admin_client, body["errors_csv"])) == 4


@pytest.mark.django_db
def test_the_errors_csv_is_for_managers_and_admins_of_its_gym_only(admin_client, agent_client, api_client,
                                                                   other_gym, gym):
    path = upload(admin_client, bad_file(1)).json()["errors_csv"]
    assert agent_client.get(path).status_code == 403
    stranger = UserFactory(gym=other_gym, branch=BranchFactory(gym=other_gym), role=Role.ADMIN)
    assert api_client(stranger).get(path).status_code == 404
    assert admin_client.get(URL + "/errors/not-a-uuid").status_code == 404


@pytest.mark.django_db
def test_the_service_keeps_memory_flat_by_listing_only_the_first_errors(gym, branch):
    result = importer.lead_import(gym=gym, actor=Actor.system("test"), file=io.BytesIO(bad_file(2000).encode()),
                                  branch=branch)
    assert len(result.errors) == MAX_LISTED and result.summary["error_count"] == 6000
    assert result.errors_file.failed_rows == 2000
    assert LeadImportErrors.objects.for_gym(gym).count() == 1


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_deleting_a_branch_during_an_import_into_it_waits_and_answers_409(api_client, monkeypatch):
    gym = GymFactory()
    branch = BranchFactory(gym=gym)
    admin = UserFactory(gym=gym, branch=BranchFactory(gym=gym), role=Role.ADMIN)
    importing, may_finish = threading.Event(), threading.Event()

    def progress(*_):  # the first batch is written; the import's transaction is still open
        importing.set()
        assert may_finish.wait(timeout=20)

    real = importer.lead_import
    monkeypatch.setattr("leads.import_jobs.lead_import", lambda **kw: real(**kw, progress=progress))
    answers = {}

    def run(name, call):
        try:
            answers[name] = call()
        finally:
            connection.close()

    content = "first_name,last_name,phone\nAna,Diaz,+14155550100\n"
    imports = threading.Thread(target=run, args=("import", lambda: upload(api_client(admin), content,
                                                                          branch_id=str(branch.pk))))
    deletes = threading.Thread(target=run, args=("delete", lambda: api_client(admin).delete(
        f"/api/settings/branches/{branch.pk}")))
    imports.start()
    assert importing.wait(timeout=20)
    deletes.start()
    time.sleep(1)
    assert deletes.is_alive(), "the delete must wait for the import"
    may_finish.set()
    imports.join(timeout=30)
    deletes.join(timeout=30)
    assert answers["import"].status_code == 200, answers["import"].content
    assert answers["delete"].status_code == 409, answers["delete"].content
    assert Branch.all_gyms.filter(pk=branch.pk).exists()
    assert Lead.all_gyms.filter(branch=branch).count() == 1


@pytest.mark.django_db
def test_an_import_into_a_branch_deleted_before_it_started_is_400(gym, branch):
    doomed = BranchFactory(gym=gym)
    Branch.all_gyms.filter(pk=doomed.pk).delete()
    with pytest.raises(Exception) as raised:
        importer.lead_import(gym=gym, actor=Actor.system("test"), branch=doomed,
                             file=io.BytesIO(b"first_name,last_name,phone\nAna,Diaz,+14155550100\n"))
    assert "branch was deleted" in str(raised.value)
    assert not Lead.objects.for_gym(gym).exists()
