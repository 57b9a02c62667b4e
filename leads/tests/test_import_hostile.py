"""Hostile lead CSVs: a 400 with a message a person can act on, or the bad row reported; never a
500 and never the csv module's or the database's own error text."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leads.models import Lead

pytestmark = pytest.mark.django_db

URL = "/api/leads/import"
PYTHON_TEXT = ("Error", "field limit", "NUL (0x00)", "codec", "\x00")


def upload(client, content):
    response = client.post(URL, {"file": SimpleUploadedFile("leads.csv", content, "text/csv")}, format="multipart")
    assert response.status_code < 500, response.content
    return response


def assert_plain_words(text):
    assert not any(fragment in text for fragment in PYTHON_TEXT), text


def test_a_header_cell_over_128_kb_is_400(admin_client, gym):
    content = ("first_name,last_name,phone," + "x" * (130 * 1024) + "\nAna,Diaz,+14155550100,\n").encode()
    response = upload(admin_client, content)
    assert response.status_code == 400
    message = response.json()["file"][0]
    assert "header row" in message and "longer than 128 KB" in message
    assert_plain_words(message)
    assert not Lead.objects.for_gym(gym).exists()


def test_a_cell_over_128_kb_is_400_naming_its_row(admin_client, gym):
    content = ('first_name,last_name,phone,notes\nAna,Diaz,+14155550100,ok\nBo,Li,+14155550101,"'
               + "x" * (130 * 1024) + '"\n').encode()
    response = upload(admin_client, content)
    assert response.status_code == 400
    message = response.json()["file"][0]
    assert message.startswith("Row 3") and "longer than 128 KB" in message
    assert_plain_words(message)


def test_a_utf16_file_with_a_nul_in_a_cell_reports_that_row(admin_client, gym):
    text = "first_name\tlast_name\tphone\tnotes\nAna\tDiaz\t+14155550100\tfine\nBo\tLi\x00\t+14155550101\tx\x00y\n"
    response = upload(admin_client, text.encode("utf-16"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["failed"]) == (1, 1)
    assert {(e["row"], e["field"]) for e in body["errors"]} == {(3, "last_name"), (3, "notes")}
    for error in body["errors"]:
        assert "NUL character" in error["message"]
        assert_plain_words(error["message"])
    assert list(Lead.objects.for_gym(gym).values_list("first_name", flat=True)) == ["Ana"]
