"""Large lead imports run as jobs: 202, a worker imports (eagerly here), GET follows the job."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from leads import import_jobs, importer
from leads.models import Lead, LeadImportJob
from leads.tasks import run_lead_import

pytestmark = pytest.mark.django_db

URL = "/api/leads/import"


def csv_of(rows, bad=()):
    lines = ["first_name,last_name,phone"]
    for n in range(rows):
        lines.append(f"Ann{n},Lee,+1212555{n:04d}" if n not in bad else f"Bad{n},Row,12")
    return ("\n".join(lines) + "\n").encode()


def post(client, content):
    return client.post(URL, {"file": SimpleUploadedFile("big.csv", content, "text/csv")}, format="multipart")


@pytest.fixture
def small_inline(settings):
    settings.LEAD_IMPORT_INLINE_MAX_ROWS = 5


def test_a_small_file_is_still_imported_inline(admin_client, gym, small_inline):
    response = post(admin_client, csv_of(5))
    assert response.status_code == 200 and response.json()["created"] == 5
    assert not LeadImportJob.all_gyms.exists()


def test_a_large_file_is_a_job_imported_by_a_worker_and_followed(admin_client, gym, small_inline,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(admin_client, csv_of(12, bad={3}))
    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["status"], job["progress"], job["result"]) == ("pending", {"processed": 0, "total": 12}, None)
    done = admin_client.get(f"{URL}/{job['id']}").json()
    assert (done["status"], done["progress"]) == ("completed", {"processed": 12, "total": 12})
    assert {k: done["result"][k] for k in ("total", "created", "failed")} == {"total": 12, "created": 11, "failed": 1}
    assert done["result"]["errors"][0]["row"] == 5
    assert Lead.all_gyms.filter(gym=gym).count() == 11
    assert bytes(LeadImportJob.all_gyms.get().content) == b""  # the file is dropped once imported


def test_running_a_job_twice_imports_it_once(admin_client, gym, small_inline):
    job_id = post(admin_client, csv_of(8)).json()["id"]  # not committed in the test: the worker is run by hand
    run_lead_import.delay(gym_id=str(gym.pk), job_id=job_id)
    run_lead_import.delay(gym_id=str(gym.pk), job_id=job_id)
    assert Lead.all_gyms.filter(gym=gym).count() == 8


def test_an_unusable_file_fails_the_job_with_the_reason(admin_client, gym, small_inline):
    job_id = post(admin_client, b"\n" * 10).json()["id"]
    run_lead_import.delay(gym_id=str(gym.pk), job_id=job_id)
    body = admin_client.get(f"{URL}/{job_id}").json()
    assert body["status"] == "failed" and "first row must name the columns" in body["error"]


def test_an_unexpected_error_fails_the_job_and_writes_no_lead(admin_client, gym, small_inline, monkeypatch):
    job_id = post(admin_client, csv_of(8)).json()["id"]

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(import_jobs, "lead_import", broken)
    run_lead_import.delay(gym_id=str(gym.pk), job_id=job_id)
    body = admin_client.get(f"{URL}/{job_id}").json()
    assert (body["status"], body["error"]) == ("failed", "The import stopped on an unexpected error (RuntimeError).")
    assert not Lead.all_gyms.exists()


def test_progress_of_a_running_job_comes_from_the_worker(gym):
    job = LeadImportJob.all_gyms.create(gym=gym, status="processing", total=100)
    import_jobs.cache.set(f"lead-import-progress:{job.pk}", 40)
    assert import_jobs.job_progress(job) == {"processed": 40, "total": 100}


def test_agents_cannot_follow_jobs_and_other_ids_are_404(agent_client, admin_client, gym):
    job = LeadImportJob.all_gyms.create(gym=gym, status="pending")
    assert agent_client.get(f"{URL}/{job.pk}").status_code == 403
    assert admin_client.get(f"{URL}/00000000-0000-0000-0000-000000000000").status_code == 404


@pytest.mark.postgres_only
def test_a_bulk_load_analyses_the_leads_table(gym, branch, db_owner, django_capture_on_commit_callbacks,
                                              monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("ANALYZE is PostgreSQL's")
    analysed = []
    monkeypatch.setattr(importer, "ANALYZE_AFTER_ROWS", 3)
    real = importer.analyze_leads
    monkeypatch.setattr(importer, "analyze_leads", lambda: analysed.append(1) or real())
    from io import BytesIO

    from leads.activity import Actor

    with db_owner(), django_capture_on_commit_callbacks(execute=True):
        importer.lead_import(gym=gym, actor=Actor.system(), file=BytesIO(csv_of(3)), branch=branch)
        importer.lead_import(gym=gym, actor=Actor.system(), file=BytesIO(csv_of(2)), branch=branch,
                             on_duplicate="create")
    assert analysed == [1]  # the second load wrote too few rows to matter
