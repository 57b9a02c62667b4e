"""The dialer's tasks: a sweep every few seconds (beat) and a round per gym."""

from django.utils import timezone

from reps_dashboard.background import cross_gym_task, enqueue, gym_task

from .dialer import calls_dial_due, gyms_with_due_calls


@gym_task()
def dial_gym(*, gym):
    """Places the gym's due calls, up to its concurrency cap."""
    return calls_dial_due(gym=gym)


@cross_gym_task(reason="dialer sweep: which gyms have calls due")
def dial_due_calls():
    """Finds the gyms with due calls and starts a round for each (each in its own gym's scope)."""
    gym_ids = gyms_with_due_calls(now=timezone.now())
    for gym_id in gym_ids:
        enqueue(dial_gym, gym_id=str(gym_id))
    return f"{len(gym_ids)} gyms with calls due"


def dial_soon(*, gym):
    """Asks for a dialer round for ``gym`` once the current transaction commits (a call was queued
    for now: it is placed within seconds rather than at the next sweep)."""
    enqueue(dial_gym, gym_id=str(gym.pk))
