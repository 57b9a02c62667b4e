from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from tenants.api.viewsets import GymScopedViewSet

from .selectors.appointments import appointments_analytics
from .selectors.calls import calls_analytics
from .selectors.common import Ask
from .selectors.leads import leads_analytics
from .selectors.overview import overview
from .serializers import (
    AppointmentsAnalyticsSerializer,
    CallsAnalyticsSerializer,
    LeadsAnalyticsSerializer,
    OverviewSerializer,
    PeriodParamsSerializer,
    SeriesParamsSerializer,
)


class AnalyticsViewSet(GymScopedViewSet):
    """Read-only numbers of the caller's gym; every role may read them."""

    filter_backends = []
    pagination_class = None

    def _answer(self, params_class, selector, serializer_class):
        params = params_class(data=self.request.query_params, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        ask = Ask(gym=self.gym, period=data["period"], branch=data.get("branch_id"),
                  granularity=data.get("granularity", "day"))
        return Response(serializer_class(selector(ask)).data)

    @extend_schema(tags=["analytics"], summary="Headline numbers of the period and of the period before",
                   parameters=[PeriodParamsSerializer], responses=OverviewSerializer)
    @action(detail=False, methods=["get"])
    def overview(self, request):
        return self._answer(PeriodParamsSerializer, overview, OverviewSerializer)

    @extend_schema(tags=["analytics"], summary="Leads: breakdowns, series, funnel, speed to lead",
                   parameters=[SeriesParamsSerializer], responses=LeadsAnalyticsSerializer)
    @action(detail=False, methods=["get"])
    def leads(self, request):
        return self._answer(SeriesParamsSerializer, leads_analytics, LeadsAnalyticsSerializer)

    @extend_schema(tags=["analytics"], summary="Calls: breakdowns, durations, series, campaigns",
                   parameters=[SeriesParamsSerializer], responses=CallsAnalyticsSerializer)
    @action(detail=False, methods=["get"])
    def calls(self, request):
        return self._answer(SeriesParamsSerializer, calls_analytics, CallsAnalyticsSerializer)

    @extend_schema(tags=["analytics"], summary="Appointments: breakdowns, rates, series, branches",
                   parameters=[SeriesParamsSerializer], responses=AppointmentsAnalyticsSerializer)
    @action(detail=False, methods=["get"])
    def appointments(self, request):
        return self._answer(SeriesParamsSerializer, appointments_analytics, AppointmentsAnalyticsSerializer)
