"""docs/openapi.yaml is the schema the server serves (regenerate it with `make openapi`)."""

from pathlib import Path

import pytest
import yaml

OPENAPI_FILE = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


@pytest.mark.django_db
def test_the_committed_openapi_file_is_the_served_schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    served = yaml.safe_load(response.content)
    committed = yaml.safe_load(OPENAPI_FILE.read_text())
    assert committed == served, "docs/openapi.yaml is out of date: run `make openapi` and commit it"


def test_a_delete_with_query_parameters_documents_its_400():
    committed = yaml.safe_load(OPENAPI_FILE.read_text())
    assert "400" in committed["paths"]["/api/knowledge/sources/{id}/"]["delete"]["responses"]
    assert "400" not in committed["paths"]["/api/leads/{id}/"]["delete"]["responses"]  # nothing to validate
