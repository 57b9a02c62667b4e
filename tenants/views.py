from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.response import Response
from rest_framework.views import APIView

from reps_dashboard.api.schema import ErrorSerializer
from reps_dashboard.client_address import client_ip
from tenants.api.viewsets import GymScopedModelViewSet, GymScopedViewSet

from . import api_keys, auth_service, services, tokens
from .models import ApiKey, Branch, Tag, User
from .permissions import ADMIN, ADMIN_MANAGER, OWN_ACCOUNT_PERMISSIONS, Credentials
from .serializers import (
    ApiKeyCreatedSerializer,
    ApiKeySerializer,
    BranchSerializer,
    ChangePasswordSerializer,
    GymSerializer,
    LoginResponseSerializer,
    LoginSerializer,
    MeSerializer,
    RefreshSerializer,
    TagSerializer,
    TokenPairSerializer,
    UserSerializer,
)

INVALID_LOGIN = "Invalid email or password."
INVALID_REFRESH = "The refresh token is invalid, expired or revoked."
REFUSED = OpenApiResponse(ErrorSerializer, "Throttled (LOGIN_THROTTLE_RATE attempts per client address and per "
                          "account) or locked out (too many failures, per account and per client address, for "
                          "LOGIN_LOCKOUT_SECONDS); Retry-After tells when to try again")


class LoginView(APIView):
    permission_classes = [Credentials]
    authentication_classes = []

    @extend_schema(
        tags=["auth"],
        request={"application/json": LoginSerializer, "application/x-www-form-urlencoded": LoginSerializer,
                 "multipart/form-data": LoginSerializer},
        responses={200: LoginResponseSerializer, 401: OpenApiResponse(ErrorSerializer, "Wrong email or password"),
                   429: REFUSED},
        auth=[],
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = auth_service.user_authenticate(login=serializer.validated_data["login"],
                                                  password=serializer.validated_data["password"],
                                                  ip=client_ip(request))
        except auth_service.LoginRefused as exc:
            raise Throttled(wait=exc.wait, detail=exc.message)
        except auth_service.InvalidCredentials:
            raise AuthenticationFailed(INVALID_LOGIN)
        return Response({
            **tokens.issue_pair(user),
            "user_id": user.id,
            "username": user.email,
            "role": user.role,
            "is_admin": user.is_admin,
            "gym_id": user.gym_id,
            "branch_id": user.branch_id,
        })

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class RefreshView(APIView):
    permission_classes = [Credentials]
    authentication_classes = []

    @extend_schema(tags=["auth"], request=RefreshSerializer,
                   responses={200: TokenPairSerializer, 401: OpenApiResponse(ErrorSerializer, INVALID_REFRESH)},
                   auth=[])
    def post(self, request):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            _, pair = tokens.rotate(serializer.validated_data["token"])
        except tokens.TokenRevoked:
            raise AuthenticationFailed(INVALID_REFRESH)
        return Response(pair)

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class LogoutView(APIView):
    permission_classes = OWN_ACCOUNT_PERMISSIONS

    @extend_schema(tags=["auth"], request=RefreshSerializer, responses={204: None})
    def post(self, request):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            tokens.revoke(serializer.validated_data["token"], request.user)
        except tokens.TokenRevoked:
            pass  # logging out with an already dead token is still a successful logout
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = OWN_ACCOUNT_PERMISSIONS

    @extend_schema(tags=["auth"], responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)

    @extend_schema(tags=["auth"], request=MeSerializer, responses=MeSerializer)
    def patch(self, request):
        serializer = MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)


class ChangePasswordView(APIView):
    permission_classes = OWN_ACCOUNT_PERMISSIONS

    @extend_schema(tags=["auth"], request=ChangePasswordSerializer, responses={204: None, 429: REFUSED})
    def post(self, request):
        serializer = ChangePasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            auth_service.user_change_password(user=request.user, ip=client_ip(request), **serializer.validated_data)
        except auth_service.LoginRefused as exc:
            raise Throttled(wait=exc.wait, detail=exc.message)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GymSettingsView(APIView):
    """The caller's own gym: read for every role, PATCH for admins."""

    write_roles = ADMIN

    @extend_schema(tags=["settings"], responses=GymSerializer)
    def get(self, request):
        return Response(GymSerializer(request.gym).data)

    @extend_schema(tags=["settings"], request=GymSerializer, responses=GymSerializer)
    def patch(self, request):
        serializer = GymSerializer(request.gym, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)


@extend_schema(tags=["settings"])
class BranchViewSet(GymScopedModelViewSet):
    model = Branch
    serializer_class = BranchSerializer
    write_roles = ADMIN
    sort_fields = {"name": "name", "created_at": "created_at"}
    default_sort = "name"

    def perform_destroy(self, instance):
        services.branch_delete(branch=instance)


@extend_schema(tags=["settings"])
class TagViewSet(GymScopedModelViewSet):
    model = Tag
    serializer_class = TagSerializer
    write_roles = ADMIN_MANAGER
    sort_fields = {"name": "name", "created_at": "created_at"}
    default_sort = "name"


@extend_schema(tags=["settings"])
class UserViewSet(GymScopedModelViewSet):
    """Staff of the gym. DELETE deactivates (history keeps its author) and revokes tokens."""

    model = User
    serializer_class = UserSerializer
    write_roles = ADMIN
    sort_fields = {"email": "email", "created_at": "created_at", "first_name": "first_name",
                   "last_name": "last_name", "role": "role"}
    default_sort = "email"

    def scope_queryset(self, queryset):
        return queryset.select_related("branch")

    def perform_create(self, serializer):
        serializer.instance = services.user_create(gym=self.gym, **serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.user_update(user=serializer.instance, password=data.pop("password", None), **data)

    def perform_destroy(self, instance):
        services.user_deactivate(user=instance)


class AuthUsersView(APIView):
    """``POST /api/auth/users``: same as ``POST /api/settings/users``."""

    write_roles = ADMIN

    @extend_schema(tags=["auth"], request=UserSerializer, responses={201: UserSerializer})
    def post(self, request):
        serializer = UserSerializer(data=request.data, context={"request": request, "gym": request.gym})
        serializer.is_valid(raise_exception=True)
        user = services.user_create(gym=request.gym, **serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)



@extend_schema(tags=["settings"])
class ApiKeyViewSet(GymScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Gym API keys for the voice agent platform and lead capture (admins only). The plaintext key is in the
    create response only; DELETE revokes (the row stays, for the record)."""

    model = ApiKey
    serializer_class = ApiKeySerializer
    read_roles = ADMIN
    write_roles = ADMIN
    sort_fields = {"created_at": "created_at", "name": "name", "last_used_at": "last_used_at"}
    default_sort = "-created_at"

    @extend_schema(request=ApiKeySerializer, responses={201: ApiKeyCreatedSerializer})
    def create(self, request):
        serializer = ApiKeySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key, raw = api_keys.api_key_create(gym=self.gym, created_by=request.user, **serializer.validated_data)
        return Response({**ApiKeySerializer(key).data, "key": raw}, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        api_keys.api_key_revoke(key=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
