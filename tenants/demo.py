"""The demo gym's tenancy rows: the gym, branches, staff and tags (seed_demo)."""

from django.db import transaction

from .models import Branch, Gym, Role, Tag, User
from .scope import gym_scope, unscoped

GYM_NAME = "Demo Fitness"
PASSWORD = "demo-password-123"
LOGINS = [
    ("admin@demo.gym", Role.ADMIN),
    ("manager@demo.gym", Role.MANAGER),
    ("agent@demo.gym", Role.AGENT),
]
TAGS = [("Hot Lead", "#E53935"), ("VIP", "#8E24AA"), ("Family Plan", "#1E88E5"), ("Student", "#43A047"),
        ("Corporate", "#FB8C00"), ("Returning Member", "#6D4C41")]


def seed_tenancy(*, rng) -> Gym:
    gym = Gym.objects.create(
        name=GYM_NAME, timezone="America/New_York", country="US", phone="+12125550100",
        address="100 Main Street, New York, NY 10001", call_days=["mon", "tue", "wed", "thu", "fri", "sat"],
    )
    with gym_scope(gym):
        downtown = Branch.objects.create(gym=gym, name="Downtown", address="100 Main Street, New York, NY",
                                         phone="+12125550101", email="downtown@demo.gym")
        Branch.objects.create(gym=gym, name="Brooklyn", address="55 Court Street, Brooklyn, NY",
                              phone="+17185550102", email="brooklyn@demo.gym")
        Branch.objects.create(gym=gym, name="Hoboken", address="1 Washington Street, Hoboken, NJ",
                              phone="+12015550103", email="hoboken@demo.gym", is_active=False)
        names = {Role.ADMIN: ("Alex", "Morgan"), Role.MANAGER: ("Maya", "Patel"), Role.AGENT: ("Sam", "Rivera")}
        for email, role in LOGINS:
            first, last = names[role]
            User.objects.create_user(email, PASSWORD, gym=gym, branch=downtown, role=role, first_name=first,
                                     last_name=last, is_staff=role != Role.AGENT)
        for first, last in [("Jordan", "Lee"), ("Chris", "Evans"), ("Priya", "Shah")]:
            User.objects.create_user(f"{first.lower()}@demo.gym", PASSWORD, gym=gym, branch=downtown, role=Role.AGENT,
                                     first_name=first, last_name=last)
        Tag.objects.bulk_create([Tag(gym=gym, name=name, color=color) for name, color in TAGS])
    return gym


def delete_gym(gym: Gym) -> None:
    """Remove a gym and everything it owns (tenant rows cascade from the gym)."""
    with transaction.atomic(), unscoped(f"seed_demo --reset deletes gym {gym.pk}"):
        gym.delete()
