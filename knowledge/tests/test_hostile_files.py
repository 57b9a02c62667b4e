"""Hostile knowledge imports: every bad file, page or address is refused with a message a person can
act on, never a 500, never Python's own error text, and Markdown parses in linear time."""

import json
import time
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from knowledge import extract, fetch
from knowledge.models import ImportJob, KnowledgeEntry
from knowledge.parsers import parse_markdown

pytestmark = pytest.mark.django_db

FILE_IMPORT = "/api/knowledge/import/file"
URL_IMPORT = "/api/knowledge/import"
PYTHON_TEXT = ("Error", "Traceback", "recursion", "field limit", "Expecting", "codec", "NUL (0x00)", "\x00")


def import_file(client, name, content):
    content = content.encode() if isinstance(content, str) else content
    response = client.post(FILE_IMPORT, {"file": SimpleUploadedFile(name, content), "category": "general"},
                           format="multipart")
    assert response.status_code < 500, response.content
    return response


def messages(body):
    found = [error["message"] for error in body["errors"]]
    for message in found:
        assert not any(text in message for text in PYTHON_TEXT), message
    return " ".join(found)


def test_json_nested_3000_deep_fails_the_job_with_a_reason(manager_client):
    body = import_file(manager_client, "faq.json", "[" * 3000 + "]" * 3000).json()
    assert body["status"] == "failed"
    assert "nested too deeply" in messages(body)


def test_a_json_value_that_is_no_text_fails_its_row_only(manager_client, gym):
    items = [{"question": json.loads("[" * 200 + "]" * 200), "answer": "Deep lists are not answers."},
             {"question": "Is there parking?", "answer": {"text": "yes"}},
             {"question": "Do you have showers?", "answer": "Yes, in both changing rooms."}]
    body = import_file(manager_client, "faq.json", json.dumps(items)).json()
    assert (body["status"], body["created"], body["failed"]) == ("completed", 1, 2)
    assert "must be text" in messages(body)


def test_a_knowledge_csv_field_over_128_kb_fails_the_job_with_a_reason(manager_client):
    content = 'question,answer\nIs it big?,"' + "x" * (129 * 1024) + '"\n'
    body = import_file(manager_client, "faq.csv", content).json()
    assert body["status"] == "failed"
    assert "longer than 128 KB" in messages(body)


@pytest.mark.parametrize("name, content", [
    ("faq.json", '[{"question": "Is there a sauna\\u0000?", "answer": "Yes, a Finnish sauna."},'
                 ' {"question": "Do you have towels?", "answer": "Yes, free towels."}]'),
    ("faq.csv", "question,answer,category\nIs there a sauna?,Yes a Finnish sauna.,spa\x00\n"
                "Do you have towels?,\"Yes, free towels.\",\n"),
    ("faq.md", "# Is there a sauna?\nYes\x00 a Finnish sauna.\n# Do you have towels?\nYes, free towels.\n"),
])
def test_nul_characters_fail_their_item_and_the_rest_imports(manager_client, gym, name, content):
    body = import_file(manager_client, name, content).json()
    assert (body["status"], body["created"], body["failed"]) == ("completed", 1, 1)
    assert "NUL character" in messages(body)
    assert ImportJob.objects.for_gym(gym).get(pk=body["job_id"]).failed == 1


def test_a_nul_in_the_file_name_is_dropped(manager_client, gym):
    body = import_file(manager_client, "f\x00aq.md", "# Is there a sauna?\nYes, a Finnish sauna.\n").json()
    assert body["created"] == 1


ADVERSARIAL_MARKDOWN = {  # each about 50 KB; the heading pattern this parser replaced ran for minutes on some
    "spaces after a heading mark": "#" + " " * 50_000 + "x",
    "spaces and hashes": "# a" + " \t" * 25_000 + "#" * 10 + "!",
    "open brackets": "# Q?\n" + "[" * 50_000,
    "open images": "# Q?\n" + "![" * 25_000,
    "labels without targets": "# Q?\n" + "[a]" * 16_000,
    "unclosed link targets": "# Q?\n" + "[a](" * 12_500,
    "emphasis soup": "# Q?\n" + "*_`" * 16_000,
    "headings only": "# q\n" * 12_500,
    "fences": "```\n# x\n" * 6_000,
}


def test_markdown_parsing_is_linear_on_adversarial_input():
    for name, text in ADVERSARIAL_MARKDOWN.items():
        started = time.perf_counter()
        parse_markdown(text)
        parse_markdown(text * 20)  # 1 MB: linear time stays small, quadratic would not
        assert time.perf_counter() - started < 2, name


def test_adversarial_markdown_through_the_api(manager_client):
    started = time.perf_counter()
    body = import_file(manager_client, "faq.md", "## Is it fast?\n" + "[a](" * 12_500 + "\n" + "#" + " " * 50_000
                       + "x\n").json()
    assert time.perf_counter() - started < 5
    assert body["status"] in ("completed", "failed")


def test_markdown_links_images_and_fences():
    items = parse_markdown("# Where [is](http://x) it?\nSee ![the map](m.png) and [our page](https://y).\n"
                           "```\n# a comment, not a heading\n```\n#hashtag, not a heading\n")
    assert items == [(1, {"question": "Where is it?",
                          "answer": "See the map and our page.\n\n# a comment, not a heading\n\n#hashtag, not a heading"})]


def test_a_page_nested_thousands_deep_is_read_without_a_crash(manager_client, gym, django_capture_on_commit_callbacks):
    deep = "<div>" * 5000 + "deep text" + "</div>" * 5000
    page = fetch.Page(url="https://example.com/faq",
                      html=f"<html><body>{deep}<h2>Do you have lockers?</h2><p>Yes, free lockers.</p>"
                           f'<script type="application/ld+json">{"[" * 5000}</script></body></html>')
    with mock.patch("knowledge.fetch.fetch_html", return_value=page), \
            django_capture_on_commit_callbacks(execute=True):  # a worker fetches the page (eager here)
        response = manager_client.post(URL_IMPORT, {"url": "https://example.com/faq"}, format="json")
    assert response.status_code < 500, response.content
    job = ImportJob.objects.for_gym(gym).get(pk=response.json()["job_id"])
    assert job.status == "completed"
    assert KnowledgeEntry.objects.for_gym(gym).filter(question="Do you have lockers?").exists()


def test_the_html_tree_stops_at_its_depth_limit():
    root = extract.parse_html("<section>" * 100_000 + "<p>x</p>")
    depth, node = 0, root
    while node.elements():
        node, depth = node.elements()[0], depth + 1
    assert depth <= extract.MAX_DEPTH + 1


# --- SSRF ------------------------------------------------------------------------------

REFUSED = [
    "10.0.0.1", "127.0.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "192.0.2.1",
    "::1", "fe80::1", "fc00::1", "ff0e::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1",         # IPv4-mapped
    "::127.0.0.1", "::8.8.8.8",                    # IPv4-compatible (deprecated): never a web site
    "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",       # NAT64 of loopback, of the metadata service
    "64:ff9b:1::a00:1",                            # local-use NAT64
    "2002:7f00:1::1", "2002:c0a8:101::1",          # 6to4 of loopback, of 192.168.1.1
    "fec0::1",                                     # site-local
    "2001::1",                                     # Teredo
]
ALLOWED = ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34", "64:ff9b::5db8:d822",
           "2002:5db8:d822::1"]


@pytest.mark.parametrize("address", REFUSED)
def test_private_addresses_in_every_form_are_refused(manager_client, address, django_capture_on_commit_callbacks):
    family = 10 if ":" in address else 2
    with mock.patch("knowledge.fetch.socket.getaddrinfo", return_value=[(family, 1, 6, "", (address, 80))]), \
            django_capture_on_commit_callbacks(execute=True):  # a worker fetches the page (eager here)
        response = manager_client.post(URL_IMPORT, {"url": "http://innocent.example.com/faq"}, format="json")
    assert response.status_code == 202
    body = manager_client.get(f"{URL_IMPORT}/{response.json()['job_id']}").json()
    assert body["status"] == "failed" and "private or reserved" in body["errors"][0]["message"]


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_pass_the_filter(address):
    assert fetch._allowed(address)
