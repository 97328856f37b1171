"""API endpoints about the caller: obtaining and revoking a token, and who am I.

Sign-in goes through `django.contrib.auth.authenticate` with the request, so django-axes counts
every failure and refuses a locked-out username (from that address) even with the right password.
A DRF throttle (scope ``token``) caps the rate of attempts per client address on top of that
(core/signin_limits.py). Each request issues a new token that expires after API_TOKEN_DAYS
(credentials/); an administrator who must use a second factor adds the code of their
authenticator app as ``otp``.
"""

from datetime import timedelta

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate, user_logged_in
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from core.signin_limits import SignInThrottle
from credentials import services as credentials
from credentials.models import ApiToken
from credentials.second_factor import check_code, confirmed_device, must_use_second_factor
from organizations.api.serializers import OrganizationSummarySerializer
from organizations.models import RoleAssignment


class InvalidCredentials(exceptions.APIException):
    """Wrong username or password, or an inactive account: the same answer for all three."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("Unable to sign in with that username and password.")
    default_code = "invalid_credentials"


class LockedOut(exceptions.Throttled):
    """Too many failed attempts: django-axes refuses this username from this address for now."""

    default_detail = _(
        "Too many failed sign-in attempts: signing in is locked for a while, "
        "even with the right password."
    )
    default_code = "locked_out"


class SecondFactorNeeded(exceptions.APIException):
    """An administrator who must use a second factor gave no right code (or has none yet)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("Give the code of your authenticator app as otp.")
    default_code = "otp_required"


class TokenRequestSerializer(serializers.Serializer):
    """Credentials exchanged for a token."""

    username = serializers.CharField(label=_("username"), max_length=150)
    password = serializers.CharField(
        label=_("password"), max_length=4096, trim_whitespace=False, write_only=True
    )
    name = serializers.CharField(
        label=_("name"),
        max_length=100,
        required=False,
        default="API",
        help_text=_("What the token is for, shown on the token page."),
    )
    otp = serializers.RegexField(
        r"^\d{6}$",
        label=_("one-time code"),
        required=False,
        error_messages={"invalid": _("Enter the 6 digits your authenticator app shows.")},
        help_text=_(
            "The code of an authenticator app: administrators, when a second factor is required."
        ),
    )


class TokenSerializer(serializers.Serializer):
    """A new API token, sent back as ``Authorization: Token <token>``, and when it expires."""

    token = serializers.CharField(label=_("token"), read_only=True)
    expires = serializers.DateTimeField(label=_("expires"), read_only=True)


class MyRoleSerializer(serializers.ModelSerializer):
    """One of the caller's roles and the organization whose subtree it covers."""

    role_display = serializers.CharField(source="get_role_display", read_only=True)
    organization = OrganizationSummarySerializer(read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["role", "role_display", "organization"]


class MeSerializer(serializers.Serializer):
    """The signed-in user and their roles."""

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    email = serializers.EmailField(read_only=True)
    is_superuser = serializers.BooleanField(read_only=True)
    roles = serializers.SerializerMethodField()

    @extend_schema_field(MyRoleSerializer(many=True))
    def get_roles(self, user) -> list[dict]:
        return MyRoleSerializer(roles_of_user(user), many=True).data


def roles_of_user(user) -> QuerySet[RoleAssignment]:
    """The user's own roles that grant anything: those on active organizations, tree order."""
    return (
        RoleAssignment.objects.filter(user=user, organization__is_active=True)
        .select_related("organization__kind")
        .order_by("organization__path", "role")
    )


def _cool_off_seconds(request: Request) -> int | None:
    cool_off: timedelta | None = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else None


class TokenView(APIView):
    """Obtain (POST) or revoke (DELETE) the caller's API token."""

    throttle_scope = "token"

    def get_permissions(self) -> list[permissions.BasePermission]:
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_authenticators(self) -> list[BaseAuthentication]:
        # Asking for a token signs in with the password: an expired token still sent along in
        # the header must not refuse the request that replaces it.
        posting = getattr(self.request, "method", None) == "POST"  # None: the schema generator
        return [] if posting else super().get_authenticators()

    def get_throttles(self) -> list[BaseThrottle]:
        # Only sign-in attempts are rate-limited; revoking is harmless.
        return [SignInThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        operation_id="auth_token_create",
        summary=_("Obtain an API token"),
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                description=_(
                    "Wrong username or password, or a missing or wrong one-time code (otp)."
                )
            ),
            429: OpenApiResponse(
                description=_("Too many attempts: throttled, or locked out after failures.")
            ),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The DRF request (not the Django one) goes to authenticate: django-axes flags a lockout
        # on it, and this view answers in JSON instead of the middleware's HTML lockout page.
        data = serializer.validated_data
        user = authenticate(request=request, username=data["username"], password=data["password"])
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise LockedOut(wait=_cool_off_seconds(request))
            raise InvalidCredentials
        if must_use_second_factor(user):
            _check_second_factor(user, data.get("otp"))
        # A token is a sign-in: last_login is updated and django-axes resets the failure count.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        token, plain = credentials.issue_token(user, name=data["name"], acting_user=user)
        return Response(TokenSerializer({"token": plain, "expires": token.expires}).data)

    @extend_schema(
        operation_id="auth_token_destroy",
        summary=_("Revoke the caller's API token (with a session: all their tokens)"),
        request=None,
        responses={204: None},
        tags=["auth"],
    )
    def delete(self, request: Request) -> Response:
        # With a token, that token; with the browser's session, every token of the caller.
        if isinstance(request.auth, ApiToken):
            credentials.revoke_token(request.auth, acting_user=request.user)
        else:
            credentials.revoke_all(request.user, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _check_second_factor(user, code: str | None) -> None:
    device = confirmed_device(user)
    if device is None:
        raise SecondFactorNeeded(
            _("Set up your authenticator app by signing in to the portal first."),
            code="otp_not_enrolled",
        )
    if not code:
        raise SecondFactorNeeded
    if not check_code(device, code):
        raise SecondFactorNeeded(_("That code is wrong or has expired."), code="otp_invalid")


class MeView(APIView):
    """Who the caller is and which roles they hold (on active organizations)."""

    @extend_schema(
        operation_id="me_retrieve",
        summary=_("The caller and their roles"),
        responses=MeSerializer,
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
