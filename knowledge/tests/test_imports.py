import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from knowledge import services
from knowledge.models import ImportJob, KnowledgeEntry, KnowledgeSource
from knowledge.tasks import run_url_import

from .factories import KnowledgeEntryFactory

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "faq_page.html"
if not SAMPLE.exists():  # worktrees live beside shared/; CI clones main beside it too
    SAMPLE = Path("/work/shared/samples/faq_page.html")
URL_IMPORT = "/api/knowledge/import"
FILE_IMPORT = "/api/knowledge/import/file"

PAGES = {
    "/faq": (200, "text/html; charset=utf-8", SAMPLE.read_bytes()),
    "/plain": (200, "application/json", b'{"question": "no"}'),
    "/empty": (200, "text/html", b"<html><body><h1>Welcome</h1><p>Lift heavy things.</p></body></html>"),
    "/missing": (404, "text/html", b"not here"),
    "/huge": (200, "text/html", b"<p>" + b"x" * (3 * 1024 * 1024)),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/redirect-to-faq"):
            self.send_response(302)
            self.send_header("Location", "/faq")
            self.end_headers()
            return
        status, content_type, body = PAGES.get(self.path, (404, "text/html", b""))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def imported(client, body):
    """POSTs a URL import (202, pending), lets the worker run it (eagerly, once the request
    commits) and returns the job as GET shows it then."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(URL_IMPORT, body, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "pending"
    return client.get(f"{URL_IMPORT}/{response.json()['job_id']}").json()


@pytest.fixture
def allow_private(settings):
    settings.KNOWLEDGE_IMPORT_ALLOW_PRIVATE_URLS = True


@pytest.mark.django_db
class TestUrlImport:
    def test_imports_the_sample_faq_page(self, manager_client, gym, server, allow_private):
        body = imported(manager_client, {"url": f"{server}/faq", "category": "general", "name": "Summit FAQ"})
        assert body["status"] == "completed" and body["total"] == 8 and body["created"] == 8
        assert body["failed"] == 0 and body["errors"] == []
        source = KnowledgeSource.objects.for_gym(gym).get(pk=body["source_id"])
        assert (source.type, source.name, source.status) == ("website", "Summit FAQ", "completed")
        questions = set(KnowledgeEntry.objects.for_gym(gym).values_list("question", flat=True))
        assert questions == {
            "What are your opening hours?", "How much does a membership cost?",
            "Do I need to book group classes in advance?", "Which classes do you offer?",
            "Is there a swimming pool?", "Is parking available?", "Can I freeze my membership?", "How do I cancel?",
        }
        cost = KnowledgeEntry.objects.for_gym(gym).get(question="How much does a membership cost?")
        assert "<p>" not in cost.answer and cost.answer.startswith("Our Basic plan is $39")
        run_url_import.delay(gym_id=str(gym.pk), job_id=body["job_id"])  # the task delivered twice...
        assert KnowledgeEntry.objects.for_gym(gym).count() == 8  # ...imports once
        assert manager_client.get(f"{URL_IMPORT}/{body['job_id']}").json() == body

    def test_reimport_updates_instead_of_duplicating(self, manager_client, gym, server, allow_private):
        first = imported(manager_client, {"url": f"{server}/faq"})
        entry = KnowledgeEntry.objects.for_gym(gym).get(question="How do I cancel?")
        entry.answer = "Outdated answer text."
        entry.save()
        second = imported(manager_client, {"url": f"{server}/faq"})
        assert (second["created"], second["updated"], second["source_id"]) == (0, 8, first["source_id"])
        assert KnowledgeEntry.objects.for_gym(gym).count() == 8
        entry.refresh_from_db()
        assert entry.answer.startswith("Give 30 days")

    def test_follows_redirects(self, manager_client, server, allow_private):
        body = imported(manager_client, {"url": f"{server}/redirect-to-faq"})
        assert body["status"] == "completed" and body["created"] == 8

    @pytest.mark.parametrize("path,reason", [
        ("/plain", "not an HTML page"),
        ("/empty", "No questions and answers were found"),
        ("/missing", "HTTP 404"),
        ("/huge", "larger than"),
    ])
    def test_bad_pages_fail_the_job_with_a_reason(self, manager_client, gym, server, allow_private, path, reason):
        body = imported(manager_client, {"url": f"{server}{path}"})
        assert body["status"] == "failed" and reason in body["errors"][-1]["message"]
        assert ImportJob.objects.for_gym(gym).get(pk=body["job_id"]).status == "failed"
        assert KnowledgeSource.objects.for_gym(gym).get(pk=body["source_id"]).status == "failed"

    def test_unreachable_host_fails_the_job(self, manager_client, allow_private):
        body = imported(manager_client, {"url": "http://127.0.0.1:9/faq"})
        assert body["status"] == "failed" and "could not be reached" in body["errors"][0]["message"]

    def test_unknown_host_fails_the_job(self, manager_client):
        body = imported(manager_client, {"url": "http://no-such-host.invalid/faq"})
        assert body["status"] == "failed" and "could not be found" in body["errors"][0]["message"]

    @pytest.mark.parametrize("url", ["http://127.0.0.1/faq", "http://localhost/faq", "http://10.0.0.5/",
                                     "http://169.254.169.254/latest/meta-data/", "http://[::1]/",
                                     "http://192.168.1.1/", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/"])
    def test_private_addresses_are_refused(self, manager_client, url):
        body = imported(manager_client, {"url": url})
        assert body["status"] == "failed"
        assert "private or reserved" in body["errors"][0]["message"]

    def test_host_resolving_to_a_private_address_is_refused(self, manager_client):
        fake = [(2, 1, 6, "", ("93.184.216.34", 80)), (2, 1, 6, "", ("10.1.2.3", 80))]
        with mock.patch("knowledge.fetch.socket.getaddrinfo", return_value=fake):
            body = imported(manager_client, {"url": "http://rebind.example.com/"})
        assert body["status"] == "failed" and "private or reserved" in body["errors"][0]["message"]

    def test_redirect_to_a_private_address_is_refused(self, manager_client, server, settings):
        # The first hop is allowed by pretending 127.0.0.1 is public; the redirect target is vetted again.
        calls = []

        def allowed(address):
            calls.append(address)
            return len(calls) == 1

        with mock.patch("knowledge.fetch._allowed", side_effect=allowed):
            body = imported(manager_client, {"url": f"{server}/redirect-to-faq"})
        assert body["status"] == "failed" and "private or reserved" in body["errors"][0]["message"]
        assert len(calls) == 2

    @pytest.mark.parametrize("url", ["ftp://example.com/faq", "file:///etc/passwd", "not a url", ""])
    def test_non_http_urls_are_400(self, manager_client, url):
        assert manager_client.post(URL_IMPORT, {"url": url}, format="json").status_code == 400

    def test_agent_cannot_import(self, agent_client):
        assert agent_client.post(URL_IMPORT, {"url": "https://example.com/"}, format="json").status_code == 403

    def test_unknown_job_is_404(self, agent_client):
        assert agent_client.get(f"{URL_IMPORT}/00000000-0000-4000-8000-000000000000").status_code == 404


def upload(name, content):
    return SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)


@pytest.mark.django_db
class TestFileImport:
    def test_csv_with_errors_reported_per_row(self, manager_client, gym):
        csv_text = ("Question,Answer,Category,Priority\n"
                    "Do you have lockers?,\"Yes, free lockers in both changing rooms.\",facilities,3\n"
                    "Hi?,Too short question row.,general,0\n"
                    "Is there a sauna?,Yes a Finnish sauna.,spa,0\n"
                    "Can I pause?,You can freeze your plan for up to three months.,policy,12\n"
                    "\n"
                    "Do you sell protein shakes?,Yes at the front desk bar.,,\n")
        response = manager_client.post(FILE_IMPORT, {"file": upload("faq.csv", csv_text), "category": "general"},
                                       format="multipart")
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["status"], body["total"], body["created"], body["failed"]) == ("completed", 5, 2, 3)
        assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "question"), (4, "category"),
                                                                    (5, "priority")]
        lockers = KnowledgeEntry.objects.for_gym(gym).get(question="Do you have lockers?")
        assert (lockers.category, lockers.priority, lockers.source.type) == ("facilities", 3, "doc")
        assert KnowledgeEntry.objects.for_gym(gym).get(question="Do you sell protein shakes?").category == "general"

    def test_csv_reimport_of_the_same_file_updates(self, manager_client, gym):
        first = "question,answer\nDo you have lockers?,\"Yes, free lockers.\"\n"
        second = "question,answer\ndo you have LOCKERS,\"Yes, lockers with a padlock.\"\nIs there wifi?,\"Yes, free wifi.\"\n"
        one = manager_client.post(FILE_IMPORT, {"file": upload("faq.csv", first)}, format="multipart").json()
        two = manager_client.post(FILE_IMPORT, {"file": upload("faq.csv", second)}, format="multipart").json()
        assert (two["created"], two["updated"], two["source_id"]) == (1, 1, one["source_id"])
        assert KnowledgeEntry.objects.for_gym(gym).count() == 2
        # Another category makes another source.
        three = manager_client.post(FILE_IMPORT, {"file": upload("faq.csv", first), "category": "facilities"},
                                    format="multipart").json()
        assert three["source_id"] != one["source_id"] and three["created"] == 1

    def test_csv_without_required_columns_fails_the_job(self, manager_client):
        body = manager_client.post(FILE_IMPORT, {"file": upload("faq.csv", "title,text\na,b\n")},
                                   format="multipart").json()
        assert body["status"] == "failed" and "question and answer" in body["errors"][0]["message"]

    def test_json_list(self, manager_client, gym):
        items = [{"question": "Do you have a pool?", "answer": "Yes, a heated 25m pool.", "priority": 2},
                 {"question": "Is there a kids club?", "answer": "Yes, weekdays 9 to 12.", "category": "facilities"},
                 "not an object",
                 {"question": "Short", "answer": "x"}]
        body = manager_client.post(FILE_IMPORT, {"file": upload("faq.json", json.dumps(items)),
                                                 "category": "general"}, format="multipart").json()
        assert (body["total"], body["created"], body["failed"]) == (4, 2, 2)
        assert {e["row"] for e in body["errors"]} == {3, 4}
        assert KnowledgeEntry.objects.for_gym(gym).get(question="Do you have a pool?").priority == 2

    def test_invalid_json_fails_the_job(self, manager_client):
        body = manager_client.post(FILE_IMPORT, {"file": upload("faq.json", "[{oops")}, format="multipart").json()
        assert body["status"] == "failed" and "not valid JSON" in body["errors"][0]["message"]

    def test_markdown_headings(self, manager_client, gym):
        text = ("# Summit FAQ\n\n## What time do you open?\nWe open at **5am** on weekdays.\n\n"
                "### Can I bring my dog?\nOnly assistance dogs are allowed inside.\nSorry!\n")
        body = manager_client.post(FILE_IMPORT, {"file": upload("faq.md", text), "category": "policy"},
                                   format="multipart").json()
        assert (body["status"], body["created"]) == ("completed", 2)
        dog = KnowledgeEntry.objects.for_gym(gym).get(question="Can I bring my dog?")
        assert dog.answer == "Only assistance dogs are allowed inside.\nSorry!" and dog.category == "policy"
        assert KnowledgeEntry.objects.for_gym(gym).get(question="What time do you open?").answer == \
            "We open at 5am on weekdays."

    def test_unknown_file_type_is_400(self, manager_client, gym):
        response = manager_client.post(FILE_IMPORT, {"file": upload("faq.pdf", b"%PDF-1.4")}, format="multipart")
        assert response.status_code == 400 and "file" in response.json()
        assert not ImportJob.objects.for_gym(gym).exists()

    def test_missing_file_is_400(self, manager_client):
        assert manager_client.post(FILE_IMPORT, {"category": "general"}, format="multipart").status_code == 400

    def test_too_large_file_is_413(self, manager_client, monkeypatch):
        monkeypatch.setattr(services, "MAX_IMPORT_BYTES", 100)
        response = manager_client.post(FILE_IMPORT, {"file": upload("faq.csv", "question,answer\n" + "x" * 200)},
                                       format="multipart")
        assert response.status_code == 413

    def test_not_utf8_fails_the_job(self, manager_client):
        body = manager_client.post(FILE_IMPORT, {"file": upload("faq.csv", b"question,answer\n\xff\xfe\xfa,b\n")},
                                   format="multipart").json()
        assert body["status"] == "failed" and "UTF-8" in body["errors"][0]["message"]

    def test_duplicate_question_in_one_file_is_reported(self, manager_client):
        text = "question,answer\nDo you have lockers?,\"Yes, free lockers.\"\nDo you have lockers,\"Yes, again lockers.\"\n"
        body = manager_client.post(FILE_IMPORT, {"file": upload("faq.csv", text)}, format="multipart").json()
        assert (body["created"], body["failed"]) == (1, 1) and body["errors"][0]["row"] == 3

    def test_manual_entries_are_not_touched_by_imports(self, manager_client, gym):
        manual = KnowledgeEntryFactory(gym=gym, question="Do you have lockers?", answer="Typed by hand, keep it.")
        manager_client.post(FILE_IMPORT, {"file": upload("faq.csv", "question,answer\nDo you have lockers?,"
                                                                  "\"Yes, from the file.\"\n")}, format="multipart")
        manual.refresh_from_db()
        assert manual.answer == "Typed by hand, keep it."


@pytest.mark.django_db
class TestLargeFileImport:
    CSV = "question,answer\nDo you have lockers?,Yes in both changing rooms.\nIs there a sauna?,Yes a Finnish one.\n"

    def test_a_large_file_is_imported_by_a_worker(self, manager_client, gym, settings):
        settings.KNOWLEDGE_IMPORT_INLINE_MAX_BYTES = 20
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = manager_client.post(FILE_IMPORT, {"file": upload("big.csv", self.CSV), "category": "facilities"},
                                           format="multipart")
        assert response.status_code == 202, response.content
        assert response.json()["status"] == "pending"
        body = manager_client.get(f"{URL_IMPORT}/{response.json()['job_id']}").json()
        assert (body["status"], body["created"], body["failed"]) == ("completed", 2, 0)
        assert set(KnowledgeEntry.objects.for_gym(gym).values_list("category", flat=True)) == {"facilities"}
        job = ImportJob.objects.for_gym(gym).get(pk=body["job_id"])
        assert bytes(job.content) == b""  # the file is dropped once imported
        assert services.import_file_run(gym=gym, job_id=job.pk) is None  # delivered twice: imported once
        assert KnowledgeEntry.objects.for_gym(gym).count() == 2

    def test_a_large_unreadable_file_fails_its_job(self, manager_client, gym, settings):
        settings.KNOWLEDGE_IMPORT_INLINE_MAX_BYTES = 20
        with TestCase.captureOnCommitCallbacks(execute=True):
            job_id = manager_client.post(FILE_IMPORT, {"file": upload("big.csv", b"\xff\xfe" + b"\x00x" * 40)},
                                         format="multipart").json()["job_id"]
        body = manager_client.get(f"{URL_IMPORT}/{job_id}").json()
        assert body["status"] == "failed" and body["errors"][-1]["message"] == "The file is not UTF-8 text."

    def test_a_large_file_of_an_unknown_type_is_400(self, manager_client, settings):
        settings.KNOWLEDGE_IMPORT_INLINE_MAX_BYTES = 20
        response = manager_client.post(FILE_IMPORT, {"file": upload("big.xlsx", "x" * 100)}, format="multipart")
        assert response.status_code == 400 and "file" in response.json()
        assert not ImportJob.objects.exists()
