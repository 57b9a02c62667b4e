"""The staff roles (contract: roles). A module of its own, importing no model, so the permissions
(DRF's default permission classes, read when DRF's views load) never import the models early."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    AGENT = "agent", "Agent"
