"""Project-wide fixtures: two gyms, a user per role, and authenticated API clients."""

import pytest
from rest_framework.test import APIClient

from tenants import tokens
from tenants.models import Role
from tenants.tests.factories import BranchFactory, GymFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def gym(db):
    return GymFactory(name="Home Gym")


@pytest.fixture
def other_gym(db):
    return GymFactory(name="Other Gym")


@pytest.fixture
def branch(gym):
    return BranchFactory(gym=gym, name="Main")


@pytest.fixture
def admin_user(gym, branch):
    return UserFactory(gym=gym, branch=branch, role=Role.ADMIN, email="admin@home.gym")


@pytest.fixture
def manager_user(gym, branch):
    return UserFactory(gym=gym, branch=branch, role=Role.MANAGER, email="manager@home.gym")


@pytest.fixture
def agent_user(gym, branch):
    return UserFactory(gym=gym, branch=branch, role=Role.AGENT, email="agent@home.gym")


@pytest.fixture
def api_client():
    """``api_client(user)``: a client sending that user's bearer token; ``api_client()``: anonymous."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.issue_pair(user)['access_token']}")
        return client

    return make


@pytest.fixture
def admin_client(api_client, admin_user):
    return api_client(admin_user)


@pytest.fixture
def manager_client(api_client, manager_user):
    return api_client(manager_user)


@pytest.fixture
def agent_client(api_client, agent_user):
    return api_client(agent_user)
