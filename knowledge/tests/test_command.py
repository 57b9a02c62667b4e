import pytest
from django.core.management import CommandError, call_command

from knowledge.models import KnowledgeEntry


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "faq.csv"
    path.write_text('question,answer,category\nDo you have lockers?,"Yes, free lockers.",facilities\n'
                    "Bad?,short,general\n")
    return path


@pytest.mark.django_db
def test_imports_and_reports_failures_with_non_zero_exit(gym, csv_file, capsys):
    with pytest.raises(CommandError, match="1 item"):
        call_command("import_knowledge", "--gym", str(gym.id), str(csv_file))
    out = capsys.readouterr().out
    assert "row 3: failed" in out and "2 items: 1 created" in out
    assert KnowledgeEntry.objects.for_gym(gym).get().category == "facilities"


@pytest.mark.django_db
def test_dry_run_writes_nothing(gym, tmp_path, capsys):
    path = tmp_path / "faq.md"
    path.write_text("## Can I bring a friend?\nYes, one guest a month.\n")
    call_command("import_knowledge", "--gym", gym.name, str(path), "--category", "policy", "--dry-run")
    assert "Dry run (nothing written): 1 items: 1 created" in capsys.readouterr().out
    assert not KnowledgeEntry.objects.for_gym(gym).exists()


@pytest.mark.django_db
def test_unknown_gym_and_type_are_errors(gym, tmp_path):
    with pytest.raises(CommandError, match="No gym"):
        call_command("import_knowledge", "--gym", "nope", str(tmp_path / "x.csv"))
    path = tmp_path / "faq.txt"
    path.write_text("hello")
    with pytest.raises(CommandError, match="Unknown file type"):
        call_command("import_knowledge", "--gym", str(gym.id), str(path))
