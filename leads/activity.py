"""The lead timeline: who did what. Every service that changes a lead (or logs a call or an
appointment against it) records its entry here, inside the same transaction as the change."""

from dataclasses import dataclass

from tenants.models import User

from .models import ActorType, Lead, LeadActivity


@dataclass(frozen=True)
class Actor:
    type: str
    user: User | None = None
    name: str = ""

    @classmethod
    def for_user(cls, user: User) -> "Actor":
        return cls(ActorType.USER, user, user.full_name or user.email)

    @classmethod
    def voice_agent(cls, name: str = "AI voice agent") -> "Actor":
        return cls(ActorType.VOICE_AGENT, None, name)

    @classmethod
    def system(cls, name: str = "System") -> "Actor":
        return cls(ActorType.SYSTEM, None, name)


def activity_record(*, lead: Lead, type: str, actor: Actor, description: str, data: dict | None = None) -> LeadActivity:
    return LeadActivity.all_gyms.create(
        gym_id=lead.gym_id,
        lead=lead,
        type=type,
        description=description[:500],
        actor_type=actor.type,
        actor_user=actor.user,
        actor_name=actor.name[:200],
        data=data or {},
    )
