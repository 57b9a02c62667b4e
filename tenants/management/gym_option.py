"""The ``--gym`` option every management command shares: a gym's id or its unambiguous name."""

import uuid

from django.core.management.base import CommandError

from tenants.models import Gym

GYM_HELP = "The gym: its id, or its name (case-insensitive) when only one gym has it."


def gym_from_option(value: str) -> Gym:
    """The gym ``value`` names; a clear ``CommandError`` when none does or several gyms share the name."""
    value = value.strip()
    try:
        gym = Gym.objects.filter(pk=uuid.UUID(value)).first()
    except ValueError:
        gym = None
    if gym is not None:
        return gym
    named = list(Gym.objects.filter(name__iexact=value).order_by("created_at", "id")[:10])
    if not named:
        raise CommandError(f'No gym has the id or name "{value}".')
    if len(named) > 1:
        ids = ", ".join(str(g.id) for g in named)
        raise CommandError(f'{len(named)} gyms are named "{value}"; give the id of the one you mean: {ids}.')
    return named[0]
