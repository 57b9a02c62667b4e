"""Two gyms filled with marker strings, for the isolation suite.

Each app contributes ``<app>/tests/isolation.py`` with:

* ``ID_PARAMS``: request parameter names (path, query or body) that carry an id of one of its
  models, mapped to the model, e.g. ``{"lead_id": Lead, "tags": Tag}``;
* ``populate(side)``: creates that app's rows for one side of the world (``side.gym``,
  ``side.marker`` to put in every free-text field, ``side.add(obj)`` to register a row and
  ``side.get(Model)`` to reach rows other apps made).

That is all a new resource needs: the suite then walks every route and proves for each that
the other gym's rows are invisible.
"""

import uuid

from reps_dashboard.project_apps import app_modules
from tenants.api_keys import api_key_create
from tenants.models import Branch, Role, Tag, User
from tenants.tests.factories import BranchFactory, GymFactory, TagFactory, UserFactory


class Side:
    def __init__(self, label):
        self.marker = f"ZQX{label}MARK"
        self.gym = GymFactory(name=f"{self.marker} gym", address=f"{self.marker} street", phone="+12125550000")
        self.objects = {}

    def add(self, obj):
        self.objects.setdefault(type(obj), []).append(obj)
        return obj

    def get(self, model):
        return self.objects[model][0]


def _tenants_populate(side):
    branch = side.add(BranchFactory(gym=side.gym, name=f"{side.marker} branch", address=f"{side.marker} addr"))
    side.admin = side.add(UserFactory(gym=side.gym, branch=branch, role=Role.ADMIN, first_name=side.marker,
                                      last_name=side.marker, email=f"{side.marker.lower()}@example.com"))
    side.add(TagFactory(gym=side.gym, name=f"{side.marker} tag"))
    key, side.api_key = api_key_create(gym=side.gym, name=f"{side.marker} key")  # the machine endpoints' credential
    side.add(key)


TENANT_ID_PARAMS = {
    "branch_id": Branch,
    "branch": Branch,
    "assigned_to": User,
    "assigned_to_id": User,
    "staff_id": User,
    "user_id": User,
    "tag": Tag,
    "tags": Tag,
}


def contributions():
    """(ID_PARAMS, populate) of the tenancy and of every project app that ships tests/isolation.py,
    in INSTALLED_APPS (dependency) order."""
    return [(TENANT_ID_PARAMS, _tenants_populate)] + [(module.ID_PARAMS, module.populate)
                                                      for module in app_modules("tests.isolation")]


def id_params():
    merged = {}
    for params, _ in contributions():
        merged.update(params)
    return merged


class World:
    def __init__(self):
        self.home = Side("HOME")
        self.other = Side("OTHER")
        for _, populate in contributions():
            populate(self.home)
            populate(self.other)

    def other_markers(self):
        markers = [self.other.marker, str(self.other.gym.id)]
        for rows in self.other.objects.values():
            markers.extend(str(row.pk) for row in rows)
        return markers


def random_id():
    return str(uuid.uuid4())
