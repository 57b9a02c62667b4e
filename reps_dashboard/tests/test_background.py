"""Background work follows the tenancy rules of requests: every task is a gym task or an audited
cross-gym task, and a gym task sees its own gym's rows only."""

import logging

import pytest

from leads.models import Lead
from leads.tests.factories import LeadFactory
from reps_dashboard.background import CROSS_GYM, GYM, cross_gym_task, gym_task
from reps_dashboard.celery import app

pytestmark = pytest.mark.django_db


def test_every_registered_task_is_a_gym_task_or_a_cross_gym_task():
    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert "calls.tasks.dial_gym" in ours and "voice.tasks.run_campaigns" in ours
    neither = sorted(name for name, task in ours.items() if getattr(task, "tenancy", None) not in (GYM, CROSS_GYM))
    assert neither == [], "declare these with reps_dashboard.background.gym_task or cross_gym_task"
    for task in ours.values():
        if task.tenancy == CROSS_GYM:
            assert task.reason
        assert task.autoretry_for and task.retry_backoff  # a passing database or broker outage is retried


seen = []


@gym_task()
def _count_leads(*, gym):
    seen.append((gym.pk, list(Lead.objects.values_list("gym_id", flat=True))))
    return "counted"


@cross_gym_task(reason="test: every gym's leads")
def _all_leads():
    seen.append(sorted(Lead.objects.values_list("gym_id", flat=True)))
    return "listed"


def test_a_gym_task_acts_for_its_gym_only_and_a_cross_gym_task_is_audited(gym, other_gym, caplog):
    LeadFactory(gym=gym)
    LeadFactory(gym=other_gym)
    seen.clear()
    with caplog.at_level(logging.INFO):
        _count_leads.delay(gym_id=str(gym.pk))
        _all_leads.delay()
    assert seen[0] == (gym.pk, [gym.pk])
    assert seen[1] == sorted([gym.pk, other_gym.pk])
    assert "gym scope bypassed: test: every gym's leads" in caplog.text
    assert f"for gym {gym.pk}: counted" in caplog.text


def test_a_task_for_a_deleted_gym_does_nothing(caplog):
    seen.clear()
    with caplog.at_level(logging.INFO):
        _count_leads.delay(gym_id="00000000-0000-0000-0000-000000000000")
    assert seen == [] and "no longer exists" in caplog.text


def test_a_cross_gym_task_needs_a_reason():
    with pytest.raises(ValueError):
        cross_gym_task(reason="")


def test_enqueue_waits_for_the_commit_and_survives_an_unreachable_broker(gym, monkeypatch, caplog,
                                                                        django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    from reps_dashboard.background import enqueue

    sent = []
    monkeypatch.setattr(_count_leads, "apply_async", lambda kwargs: sent.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(_count_leads, gym_id=str(gym.pk))
        assert sent == []  # not before the commit
    assert sent == [{"gym_id": str(gym.pk)}]

    def unreachable(kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(_count_leads, "apply_async", unreachable)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        enqueue(_count_leads, gym_id=str(gym.pk))
    assert "the broker is unreachable; the next sweep will do it" in caplog.text
