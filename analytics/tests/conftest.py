import pytest
from django.db import connection


@pytest.fixture(params=["rollups", "raw"])
def counting(request, settings):
    """Both ways of counting on PostgreSQL; SQLite has no rollups, so only "raw" runs there."""
    if request.param == "rollups" and connection.vendor != "postgresql":
        pytest.skip("rollups exist on PostgreSQL only")
    settings.ANALYTICS_ROLLUPS = request.param == "rollups"
    return request.param
