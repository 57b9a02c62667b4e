"""POST /api/leads/import and the import service: the messy sample, broken files, duplicate modes."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leads import importer
from leads.activity import Actor
from leads.csvfile import ImportFileError
from leads.models import ActivityType, Lead, LeadActivity, LeadTag
from tenants.models import Tag
from tenants.tests.factories import BranchFactory, TagFactory

from .factories import LeadFactory

pytestmark = pytest.mark.django_db

URL = "/api/leads/import"
# A byte-identical copy of ../shared/samples/leads_messy.csv, so the tests carry their input.
SAMPLE = Path(__file__).resolve().parent / "data" / "leads_messy.csv"


def upload(client, content, name="leads.csv", **fields):
    if isinstance(content, str):
        content = content.encode()
    return client.post(URL, {"file": SimpleUploadedFile(name, content, "text/csv"), **fields}, format="multipart")


def leads_by_name(gym):
    return {lead.first_name: lead for lead in Lead.objects.for_gym(gym)}


def tag_names(lead):
    return sorted(Tag.objects.for_gym(lead.gym_id).filter(lead_tags__lead=lead).values_list("name", flat=True))


class TestSampleFile:
    def test_messy_sample_reports_each_bad_row_and_imports_the_rest(self, manager_client, manager_user, gym):
        response = upload(manager_client, SAMPLE.read_bytes(), name="leads_messy.csv")
        assert response.status_code == 200, response.content
        body = response.json()
        assert {k: body[k] for k in ("total", "created", "updated", "skipped", "failed")} == {
            "total": 12, "created": 7, "updated": 0, "skipped": 1, "failed": 4}
        assert [(e["row"], e["field"]) for e in body["errors"]] == [
            (6, "email"), (7, "last_name"), (8, "phone"), (10, "status")]
        leads = leads_by_name(gym)
        assert set(leads) == {"Maria", "James", "José", "Zoë", "Lena", "Omar", "Grace"}
        assert leads["José"].last_name == "Álvarez" and leads["Zoë"].last_name == "Müller"
        assert leads["Maria"].phone == "+14155550142" and leads["James"].phone == "+14155550187"
        assert leads["James"].source == "walk_in" and leads["Omar"].source == "walk_in"
        assert leads["Omar"].status == "converted" and leads["Lena"].status == "lost"
        assert leads["Grace"].notes == "Prefers evenings\nafter 6pm" and leads["Grace"].interest == "Pilates"
        assert leads["Grace"].email == "GRACE.KIM@example.com"
        assert leads["Lena"].notes.startswith("=HYPERLINK(")  # kept as data; the export neutralises it
        assert tag_names(leads["José"]) == ["Hot Lead", "VIP"]
        assert Tag.objects.for_gym(gym).count() == 2
        assert all(lead.branch_id == manager_user.branch_id for lead in leads.values())
        entries = LeadActivity.objects.for_gym(gym)
        assert entries.count() == 7 and {e.type for e in entries} == {ActivityType.IMPORTED}
        assert entries.filter(actor_user=manager_user, data__row=13).exists()

    def test_existing_tags_are_matched_case_insensitively(self, manager_client, gym):
        vip = TagFactory(gym=gym, name="vip")
        upload(manager_client, SAMPLE.read_bytes())
        assert set(Tag.objects.for_gym(gym).values_list("name", flat=True)) == {"vip", "Hot Lead"}
        assert LeadTag.objects.for_gym(gym).filter(tag=vip).count() == 2

    def test_agent_cannot_import(self, agent_client, gym):
        assert upload(agent_client, SAMPLE.read_bytes()).status_code == 403
        assert not Lead.objects.for_gym(gym).exists()

    def test_dry_run_counts_and_writes_nothing(self, admin_client, gym):
        body = upload(admin_client, SAMPLE.read_bytes(), dry_run="true").json()
        assert body["created"] == 7 and body["failed"] == 4
        assert not Lead.objects.for_gym(gym).exists() and not Tag.objects.for_gym(gym).exists()

    def test_branch_id_chooses_the_branch(self, admin_client, gym):
        uptown = BranchFactory(gym=gym)
        upload(admin_client, SAMPLE.read_bytes(), branch_id=str(uptown.id))
        assert set(Lead.objects.for_gym(gym).values_list("branch", flat=True)) == {uptown.id}


class TestDuplicates:
    CSV = ("first_name,last_name,phone,email,status,tags\r\n"
           "Ann,Old,212-555-0100,ann@example.com,contacted,VIP\r\n"
           "Bob,New,212-555-0101,bob@example.com,new,\r\n"
           "Bobby,Again,(212) 555 0101,,qualified,Hot\r\n")

    @pytest.fixture
    def existing(self, gym, branch):
        return LeadFactory(gym=gym, branch=branch, first_name="Ann", last_name="Before", phone="+12125550100",
                           email="", status="lost", lost_reason="Too expensive")

    def test_skip_keeps_existing_and_earlier_rows(self, admin_client, gym, existing):
        body = upload(admin_client, self.CSV, on_duplicate="skip").json()
        assert (body["created"], body["updated"], body["skipped"], body["failed"]) == (1, 0, 2, 0)
        leads = leads_by_name(gym)
        assert set(leads) == {"Ann", "Bob"} and leads["Ann"].last_name == "Before"
        assert leads["Bob"].status == "new"

    def test_update_applies_non_empty_cells(self, admin_client, gym, existing):
        body = upload(admin_client, self.CSV, on_duplicate="update").json()
        assert (body["created"], body["updated"], body["skipped"], body["failed"]) == (1, 2, 0, 0)
        leads = leads_by_name(gym)
        assert set(leads) == {"Ann", "Bobby"}  # row 4 renamed the lead row 3 created
        ann = leads["Ann"]
        assert (ann.last_name, ann.email, ann.status, ann.lost_reason) == ("Old", "ann@example.com", "contacted", "")
        assert tag_names(ann) == ["VIP"]
        bobby = leads["Bobby"]
        assert (bobby.last_name, bobby.email, bobby.status) == ("Again", "bob@example.com", "qualified")
        entry = LeadActivity.objects.for_gym(gym).get(lead=existing)
        assert entry.type == ActivityType.IMPORTED and entry.data["action"] == "updated"
        assert entry.data["fields"] == ["email", "last_name", "lost_reason", "status"]

    def test_create_reports_duplicates_as_failed(self, admin_client, gym, existing):
        body = upload(admin_client, self.CSV, on_duplicate="create").json()
        assert (body["created"], body["updated"], body["skipped"], body["failed"]) == (1, 0, 0, 2)
        assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, "phone"), (4, "phone")]
        assert str(existing.id) in body["errors"][0]["message"] and "row 3" in body["errors"][1]["message"]

    def test_duplicates_across_batches(self, admin_client, gym, monkeypatch):
        monkeypatch.setattr(importer, "BATCH_SIZE", 2)
        body = upload(admin_client, self.CSV, on_duplicate="update").json()
        assert (body["created"], body["updated"]) == (2, 1)
        assert leads_by_name(gym)["Bobby"].status == "qualified"

    def test_unknown_mode_is_400(self, admin_client):
        response = upload(admin_client, self.CSV, on_duplicate="merge")
        assert response.status_code == 400 and "on_duplicate" in response.json()


class TestFileFormats:
    def test_semicolons_and_lenient_headers_and_enums(self, admin_client, gym):
        content = ("FIRST NAME;Surname;Mobile;E-mail;Lead Status;Lead Source;DNC;Score\n"
                   "Ana;Lima;+1 212 555 0142;ana@example.com;Contacted;Walk-in;yes;85%\n")
        body = upload(admin_client, content).json()
        assert body["created"] == 1, body
        ana = Lead.objects.for_gym(gym).get()
        assert (ana.status, ana.source, ana.do_not_call, ana.score) == ("contacted", "walk_in", True, 0.85)

    def test_windows_1252_is_read(self, admin_client, gym):
        content = "first_name,last_name,phone\r\nJosé,Álvarez,415-555-0199\r\n".encode("cp1252")
        assert upload(admin_client, content).json()["created"] == 1
        assert Lead.objects.for_gym(gym).get().first_name == "José"

    def test_utf16_with_tabs_is_read(self, admin_client, gym):
        content = "first_name\tlast_name\tphone\r\nZoë\tMüller\t4155550123\r\n".encode("utf-16")
        assert upload(admin_client, content).json()["created"] == 1
        assert Lead.objects.for_gym(gym).get().last_name == "Müller"

    def test_rows_are_numbered_as_a_spreadsheet_shows_them(self, admin_client):
        content = ('first_name,last_name,phone,notes\n'
                   'A,One,212-555-0100,"two\nlines"\n'
                   '\n'
                   'B,,212-555-0101,\n')
        body = upload(admin_client, content).json()
        assert body["total"] == 2 and body["errors"] == [{"row": 4, "field": "last_name",
                                                          "message": "Last name is required."}]

    def test_a_cell_neutralised_by_the_export_is_restored(self, admin_client, gym):
        upload(admin_client, "first_name,last_name,phone,notes\nA,B,'+12125550100,'=1+1\n")
        lead = Lead.objects.for_gym(gym).get()
        assert (lead.phone, lead.notes) == ("+12125550100", "=1+1")

    @pytest.mark.parametrize("content,fragment", [
        (b"first_name,phone\nAna,212-555-0100\n", "Missing required column(s): last_name"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV file"),
        (b"PK\x03\x04\x14\x00\x06\x00", "not a CSV file"),
        (b"first_name,last_name,phone\n\x81\x8d\x8f,B,212-555-0100\n", "neither UTF-8 nor Windows-1252"),
        (b"", "empty"),
        (b"first_name,last_name,phone\r\n", "no leads"),
        (b"\n\n", "first row must name the columns"),
        (b"first,firstname,last_name,phone\n", "Two columns mean first_name"),
    ])
    def test_unusable_files_are_400_with_a_message(self, admin_client, gym, content, fragment):
        response = upload(admin_client, content)
        assert response.status_code == 400, response.content
        assert fragment in response.json()["file"][0]
        assert not Lead.objects.for_gym(gym).exists()

    def test_a_large_upload_spooled_to_disk_is_read_the_same(self, admin_client, gym, settings):
        settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # Django keeps bigger uploads in a temporary file
        body = upload(admin_client, SAMPLE.read_bytes()).json()
        assert (body["created"], body["failed"]) == (7, 4)

    def test_missing_file_is_400(self, admin_client):
        response = admin_client.post(URL, {}, format="multipart")
        assert response.status_code == 400 and "file" in response.json()

    def test_over_the_size_limit_is_413(self, admin_client, gym, settings):
        settings.MAX_UPLOAD_BYTES = 1000
        response = upload(admin_client, "first_name,last_name,phone\n" + "Ann,Lee,212-555-0100\n" * 60)
        assert response.status_code == 413
        assert not Lead.objects.for_gym(gym).exists()


class TestAllOrNothing:
    def test_a_crash_in_a_later_batch_imports_nothing(self, gym, branch, monkeypatch):
        monkeypatch.setattr(importer, "BATCH_SIZE", 2)
        calls = []

        def failing_write(self, state):
            calls.append(1)
            if len(calls) == 2:
                raise RuntimeError("database went away")
            return original(self, state)

        original = importer._Run._write
        monkeypatch.setattr(importer._Run, "_write", failing_write)
        content = "first_name,last_name,phone\n" + "".join(f"A{n},B,212-555-01{n:02d}\n" for n in range(5))
        with pytest.raises(RuntimeError):
            importer.lead_import(gym=gym, actor=Actor.system(), file=io.BytesIO(content.encode()), branch=branch)
        assert not Lead.objects.for_gym(gym).exists()
        assert not LeadActivity.objects.for_gym(gym).exists()

    def test_a_branch_of_another_gym_is_refused(self, gym, other_gym):
        with pytest.raises(Exception, match="branch_id"):
            importer.lead_import(gym=gym, actor=Actor.system(), file=io.BytesIO(b"x"),
                                 branch=BranchFactory(gym=other_gym))

    def test_the_callers_file_stays_open(self, gym):
        file = io.BytesIO(b"first_name,last_name,phone\nA,B,212-555-0100\n")
        importer.lead_import(gym=gym, actor=Actor.system(), file=file)
        assert not file.closed
        file = io.BytesIO(b"name\nx\n")
        with pytest.raises(ImportFileError):
            importer.lead_import(gym=gym, actor=Actor.system(), file=file)
        assert not file.closed
