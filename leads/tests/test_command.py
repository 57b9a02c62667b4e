"""manage.py import_leads: the same import as the API, with progress and a per-row report."""

import pytest
from django.core.management import CommandError, call_command

from leads import importer
from leads.management.commands import import_leads
from leads.models import ActorType, Lead, LeadActivity
from tenants.tests.factories import BranchFactory

from .test_import import SAMPLE

pytestmark = pytest.mark.django_db


def test_sample_reports_failed_rows_and_exits_non_zero(gym, capsys):
    with pytest.raises(CommandError, match="4 row"):
        call_command("import_leads", "--gym", str(gym.id), str(SAMPLE))
    out = capsys.readouterr().out
    assert "row 6: failed: email:" in out and "row 10: failed: status:" in out
    assert "12 rows: 7 created, 0 updated, 1 skipped, 4 failed." in out
    assert Lead.objects.for_gym(gym).count() == 7
    entry = LeadActivity.objects.for_gym(gym).first()
    assert entry.actor_type == ActorType.SYSTEM and "import_leads" in entry.actor_name


def test_clean_file_exits_zero_with_branch_by_name_and_every_row_at_verbosity_2(gym, tmp_path, capsys):
    uptown = BranchFactory(gym=gym, name="Uptown")
    path = tmp_path / "clean.csv"
    path.write_text("first_name,last_name,phone\nAna,Lima,212-555-0100\nAna,Again,212 555 0100\n")
    call_command("import_leads", "--gym", gym.name, str(path), "--branch", "uptown", "--on-duplicate", "update",
                 verbosity=2)
    out = capsys.readouterr().out
    assert "row 2: created: Ana Lima" in out and "row 3: updated: Ana Again" in out
    assert "2 rows: 1 created, 1 updated, 0 skipped, 0 failed." in out
    assert Lead.objects.for_gym(gym).get().branch == uptown


def test_progress_on_long_files(gym, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    monkeypatch.setattr(import_leads, "PROGRESS_EVERY", 2)
    path = tmp_path / "long.csv"
    path.write_text("first_name,last_name,phone\n" + "".join(f"A{n},B,212-555-01{n:02d}\n" for n in range(5)))
    call_command("import_leads", "--gym", str(gym.id), str(path))
    out = capsys.readouterr().out
    assert "  2 rows read (" in out and "  4 rows read (" in out


def test_dry_run_writes_nothing(gym, capsys):
    with pytest.raises(CommandError):
        call_command("import_leads", "--gym", str(gym.id), str(SAMPLE), "--dry-run")
    assert "Dry run (nothing written): 12 rows: 7 created" in capsys.readouterr().out
    assert not Lead.objects.for_gym(gym).exists()


@pytest.mark.parametrize("args,message", [
    (["--gym", "nope"], "No gym"),
    (["--branch", "nowhere"], "no branch"),
])
def test_unknown_gym_or_branch(gym, args, message):
    full = ["--gym", str(gym.id), str(SAMPLE), *args] if args[0] == "--branch" else [*args, str(SAMPLE)]
    with pytest.raises(CommandError, match=message):
        call_command("import_leads", *full)


def test_missing_file_and_unusable_file(gym, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_leads", "--gym", str(gym.id), str(tmp_path / "none.csv"))
    path = tmp_path / "bad.csv"
    path.write_text("name,phone\nx,y\n")
    with pytest.raises(CommandError, match="Missing required column"):
        call_command("import_leads", "--gym", str(gym.id), str(path))
