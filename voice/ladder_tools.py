"""The voice agent's tools for the show-rate ladder's calls: the lead confirms, cancels or moves the
appointment the call is about (``appointment_id`` is in the call's dynamic variables). Each goes
through the appointment lifecycle as the voice agent (appointments/showrate/outcomes.py)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

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

from .serializers import UNKNOWN_ID
from .services import OFFERED_SLOTS
from .views import TAG, ApiKeyOnly


class LadderAppointmentSerializer(serializers.Serializer):
    appointment_id = GymScopedRelatedField(model=Appointment, error_messages=UNKNOWN_ID,
                                           help_text="The call's appointment (its dynamic variable appointment_id).")


class CallerCancelSerializer(LadderAppointmentSerializer):
    reason = serializers.CharField(max_length=REASON_MAX, help_text="Why the lead cancels, in their words.")


class CallerRescheduleSerializer(LadderAppointmentSerializer):
    date = serializers.CharField(help_text="The new start: ISO-8601; without an offset, the branch's wall clock.")
    duration = serializers.IntegerField(required=False, help_text="Minutes; default: the appointment's.")


class SlotTakenSerializer(serializers.Serializer):
    detail = serializers.CharField()
    existing_id = serializers.UUIDField(help_text="The appointment in the way.")
    next_available_slots = SlotSerializer(many=True, help_text="The next free slots of the branch after the time "
                                                               "asked for, soonest first (at most 3).")


class LadderToolView(ApiKeyOnly, APIView):
    def appointment(self, request, serializer_class):
        params = serializer_class(data=request.data, context={"gym": request.gym})
        params.is_valid(raise_exception=True)
        return params.validated_data


class VoiceConfirmView(LadderToolView):
    """The lead confirms: scheduled becomes confirmed (a confirmed one stays so); 409 otherwise."""

    @extend_schema(tags=TAG, summary="The lead confirms the appointment (confirmation call)",
                   request=LadderAppointmentSerializer, responses=AppointmentDetailSerializer)
    def post(self, request):
        data = self.appointment(request, LadderAppointmentSerializer)
        return Response(AppointmentDetailSerializer(appointment_confirm_by_caller(
            appointment=data["appointment_id"])).data)


class VoiceCancelView(LadderToolView):
    """The lead cancels, saying why: the appointment becomes canceled with the reason; 409 when it is
    not scheduled or confirmed."""

    @extend_schema(tags=TAG, summary="The lead cancels the appointment, with the reason",
                   request=CallerCancelSerializer, responses=AppointmentDetailSerializer)
    def post(self, request):
        data = self.appointment(request, CallerCancelSerializer)
        return Response(AppointmentDetailSerializer(appointment_cancel_by_caller(
            appointment=data["appointment_id"], reason=data["reason"])).data)


class VoiceRescheduleView(LadderToolView):
    """The lead wants another time: the appointment is rescheduled (the old one linked to the new);
    a taken time answers with the next free slots to offer."""

    @extend_schema(tags=TAG, summary="Move the appointment to another time (409 with the next free slots)",
                   request=CallerRescheduleSerializer,
                   responses={201: AppointmentDetailSerializer,
                              409: OpenApiResponse(SlotTakenSerializer, "The time is taken: the next free slots")})
    def post(self, request):
        appointment = self.appointment(request, CallerRescheduleSerializer)["appointment_id"]
        params = RescheduleSerializer(appointment, data={key: request.data[key] for key in ("date", "duration")
                                                         if key in request.data})
        params.is_valid(raise_exception=True)
        start, duration = params.validated_data["date"], params.validated_data.get("duration")
        try:
            new = appointment_reschedule(appointment=appointment, start=start, duration=duration, actor=VOICE_AGENT)
        except Conflict as exc:
            if "existing_id" not in exc.extra:
                raise  # not a taken time (the appointment is final): the lifecycle's 409 as it is
            slots = next_free_slots(branch=appointment.branch, after=start, duration=duration or appointment.duration,
                                    staff=appointment.staff, lead=appointment.lead, count=OFFERED_SLOTS)
            return Response({"detail": exc.message, "existing_id": str(exc.extra["existing_id"]),
                             "next_available_slots": SlotSerializer(slots, many=True).data},
                            status=status.HTTP_409_CONFLICT)
        return Response(AppointmentDetailSerializer(new).data, status=status.HTTP_201_CREATED)
