"""The voice agent's tools for the show-rate ladder's calls: the lead confirms, cancels or moves the
appointment the call is about. Each takes Retell's custom-function body like every other tool
(``voice/tool_request.py``); the appointment is the ``appointment_id`` argument, else the call's own
``appointment_id`` dynamic variable (the dialer sends it with every confirmation and recall call).
Each goes through the appointment lifecycle as the voice agent (appointments/showrate/outcomes.py).

As for the other tools, what the lead's answer leads to is a 200 the agent can speak (``confirmed``,
``canceled`` or ``rescheduled`` false with a ``message``, and for a taken time the next free slots);
only a request the agent got wrong (no appointment, another gym's id, no reason, an unreadable date)
is a 400."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from appointments.availability import next_free_slots
from appointments.models import Appointment
from appointments.serializers import AppointmentDetailSerializer, RescheduleSerializer, SlotSerializer
from appointments.services import appointment_reschedule
from appointments.showrate.outcomes import (
    REASON_MAX,
    VOICE_AGENT,
    appointment_cancel_by_caller,
    appointment_confirm_by_caller,
)
from reps_dashboard.errors import Conflict
from tenants.api.fields import GymScopedRelatedField

from .serializers import UNKNOWN_ID, ToolAnswerSerializer
from .services import OFFERED_SLOTS
from .tool_request import ToolRequest, call_appointment_id
from .views import TAG, TOOL_BODY, ToolView

NO_APPOINTMENT = ("Send appointment_id (the call's appointment_id dynamic variable), or Retell's call object "
                  "of a confirmation or recall call.")


class LadderAppointmentSerializer(serializers.Serializer):
    appointment_id = GymScopedRelatedField(
        model=Appointment, error_messages={**UNKNOWN_ID, "required": NO_APPOINTMENT},
        help_text="The call's appointment; default: the call's appointment_id dynamic variable.")


class CallerCancelSerializer(LadderAppointmentSerializer):
    reason = serializers.CharField(max_length=REASON_MAX, help_text="Why the lead cancels, in their words.")


class CallerRescheduleSerializer(LadderAppointmentSerializer):
    date = serializers.CharField(help_text="The new start: ISO-8601; without an offset, the branch's wall clock.")
    duration = serializers.IntegerField(required=False, help_text="Minutes; default: the appointment's.")


class LadderAnswerSerializer(ToolAnswerSerializer):
    appointment = AppointmentDetailSerializer(help_text="The appointment as it now stands (the new one when moved).")


class ConfirmAnswerSerializer(LadderAnswerSerializer):
    confirmed = serializers.BooleanField()


class CancelAnswerSerializer(LadderAnswerSerializer):
    canceled = serializers.BooleanField()


class RescheduleAnswerSerializer(LadderAnswerSerializer):
    rescheduled = serializers.BooleanField()
    existing_id = serializers.UUIDField(allow_null=True, help_text="The appointment in the way, when one is.")
    next_available_slots = SlotSerializer(many=True, help_text="When the time is taken: the next free slots of the "
                                                               "branch after it, soonest first (at most 3).")


def _ladder_schema(summary, params, answer, created=False):
    responses = {200: answer} if not created else {
        201: answer, 200: OpenApiResponse(answer, "Not moved: why, and what to offer")}
    return extend_schema(tags=TAG, summary=f"{summary} (Retell custom function)", request=params, responses=responses,
                         description=TOOL_BODY)


def _spoken(appointment):
    when = appointment.date.astimezone(appointment.branch.tzinfo)
    return f"{appointment.get_type_display().lower()} at {appointment.branch.name} on {when:%A %d %B at %H:%M}"


class LadderToolView(ToolView):
    def ladder_arguments(self, request, serializer_class):
        """The tool's arguments, the appointment taken from the call when the LLM did not name it."""
        tool = self.tool(request)
        args = dict(tool.args)
        if not args.get("appointment_id"):
            args.pop("appointment_id", None)
            from_call = call_appointment_id(tool.call)
            if from_call:
                args["appointment_id"] = from_call
        return self.arguments(request, serializer_class, ToolRequest(name=tool.name, args=args, call=tool.call))

    @staticmethod
    def answer(appointment, **fields):
        return {**fields, "appointment": AppointmentDetailSerializer(appointment).data}


class VoiceConfirmView(LadderToolView):
    """The lead confirms: scheduled becomes confirmed (a confirmed one stays so); an appointment that
    is no longer open answers ``confirmed: false`` saying what became of it."""

    @_ladder_schema("The lead confirms the appointment (confirmation call)", LadderAppointmentSerializer,
                    ConfirmAnswerSerializer)
    def post(self, request):
        appointment = self.ladder_arguments(request, LadderAppointmentSerializer)["appointment_id"]
        try:
            confirmed = appointment_confirm_by_caller(appointment=appointment)
        except Conflict as exc:
            return Response(self.answer(appointment, confirmed=False, message=exc.message))
        return Response(self.answer(confirmed, confirmed=True, message=f"Confirmed: {_spoken(confirmed)}."))


class VoiceCancelView(LadderToolView):
    """The lead cancels, saying why: the appointment becomes canceled with the reason; one that is no
    longer open answers ``canceled: false``."""

    @_ladder_schema("The lead cancels the appointment, with the reason", CallerCancelSerializer,
                    CancelAnswerSerializer)
    def post(self, request):
        data = self.ladder_arguments(request, CallerCancelSerializer)
        appointment = data["appointment_id"]
        try:
            canceled = appointment_cancel_by_caller(appointment=appointment, reason=data["reason"])
        except Conflict as exc:
            return Response(self.answer(appointment, canceled=False, message=exc.message))
        return Response(self.answer(canceled, canceled=True, message=f"Canceled: {_spoken(canceled)}."))


class VoiceRescheduleView(LadderToolView):
    """The lead wants another time: the appointment is rescheduled (the old one linked to the new);
    a taken time answers ``rescheduled: false`` with the next free slots to offer."""

    @_ladder_schema("Move the appointment to another time", CallerRescheduleSerializer, RescheduleAnswerSerializer,
                    created=True)
    def post(self, request):
        data = self.ladder_arguments(request, CallerRescheduleSerializer)
        appointment = data["appointment_id"]
        params = RescheduleSerializer(appointment, data={key: data[key] for key in ("date", "duration") if key in data})
        params.is_valid(raise_exception=True)
        start, duration = params.validated_data["date"], params.validated_data.get("duration")
        not_moved = {"rescheduled": False, "existing_id": None, "next_available_slots": []}
        try:
            new = appointment_reschedule(appointment=appointment, start=start, duration=duration, actor=VOICE_AGENT)
        except Conflict as exc:
            if "existing_id" not in exc.extra:  # not a taken time: the appointment is no longer open
                return Response(self.answer(appointment, **not_moved, message=exc.message))
            slots = SlotSerializer(next_free_slots(
                branch=appointment.branch, after=start, duration=duration or appointment.duration,
                staff=appointment.staff, lead=appointment.lead, count=OFFERED_SLOTS), many=True).data
            suggestion = f" The next free time is {slots[0]['start_time']}." if slots else ""
            return Response(self.answer(appointment, **{**not_moved, "existing_id": str(exc.extra["existing_id"]),
                                                        "next_available_slots": slots},
                                        message=f"{exc.message}{suggestion}"))
        return Response(self.answer(new, rescheduled=True, existing_id=None, next_available_slots=[],
                                    message=f"Moved: {_spoken(new)}."), status=status.HTTP_201_CREATED)
