import pytest

from tenants import login_guard
from tenants.models import Role
from tenants.tests.factories import UserFactory


@pytest.fixture
def one_throttle_window(monkeypatch):
    """Every attempt of a test falls in the same throttle window (no flake at a minute's turn)."""
    monkeypatch.setattr(login_guard, "_now", lambda: 1_800_000_000.0)


@pytest.fixture
def staff_admin(gym, branch):
    """A gym admin who may use the Django admin."""
    return UserFactory(gym=gym, branch=branch, role=Role.ADMIN, is_staff=True, email="boss@home.gym")
