"""Swagger UI and ReDoc come from our own static files (drf-spectacular-sidecar), and the admin and
docs pages carry a Content-Security-Policy that lets scripts come from our origin only."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from reps_dashboard.csp import DATA_POLICY, HEADER, PAGE_POLICY

pytestmark = pytest.mark.django_db

DOCS_PAGES = ["/api/docs", "/api/redoc"]


def referenced_urls(html):
    return re.findall(r'(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize("page", DOCS_PAGES)
def test_docs_pages_load_nothing_from_another_host_and_no_inline_script(page):
    response = Client().get(page)
    assert response.status_code == 200
    html = response.content.decode()
    urls = referenced_urls(html)
    assert urls and not [url for url in urls if "//" in url], urls
    assert "@latest" not in html and "cdn" not in html.lower()
    assert not re.search(r"<script>(?!\s*</script>)", html), "inline script"
    for url in urls:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), f"{url} is not a static file of ours"


def test_the_swagger_start_up_script_is_served_from_our_origin():
    html = Client().get("/api/docs").content.decode()
    script = next(url for url in referenced_urls(html) if url.startswith("/api/docs"))
    response = Client().get(script)
    assert response.status_code == 200 and "SwaggerUIBundle" in response.content.decode()


@pytest.mark.parametrize("page", [*DOCS_PAGES, "/admin/login/"])
def test_admin_and_docs_pages_carry_the_page_policy(page):
    response = Client().get(page)
    assert response[HEADER] == PAGE_POLICY
    directives = dict(part.strip().split(" ", 1) for part in PAGE_POLICY.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


def test_an_admin_page_behind_the_login_carries_the_page_policy(gym, branch):
    from tenants.models import Role
    from tenants.tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory(gym=gym, branch=branch, role=Role.ADMIN, is_staff=True))
    response = client.get("/admin/tenants/branch/")
    assert response.status_code == 200 and response[HEADER] == PAGE_POLICY


def test_api_answers_load_nothing(admin_client):
    assert admin_client.get("/api/auth/me")[HEADER] == DATA_POLICY
    assert Client().get("/api/schema")[HEADER] == DATA_POLICY
