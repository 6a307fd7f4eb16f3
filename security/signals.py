"""The audit trail's receivers: each turns a signal (a login, a device saved, a role changed) into one
security event. They record; they decide nothing (conventions: signals for the audit trail only). The one
exception, tokens following a re-hash of the same password, is a service call explained there.

Old values (a role, a password hash, `require_mfa`) are read in pre_save and compared in post_save."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import is_password_usable
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from security.choices import EventKind
from security.middleware import current_request
from security.models import SecurityEvent, password_fingerprint
from security.services import api_tokens_follow_rehash, security_event_record

OLD = "_security_old"  # where pre_save leaves the values post_save compares with
# Recovery codes are saved one row at a time (ten of them): one event per batch, not per code.
RECOVERY_BATCH_WINDOW = timedelta(seconds=30)


def _old(instance: Model) -> dict[str, Any]:
    return instance.__dict__.pop(OLD, None) or {}


def _surviving(obj: Any, origin: Any) -> Any:
    """`obj`, unless the delete that is under way removes it (it cannot be referenced by a new event)."""
    if obj is None or origin is None:
        return obj
    if isinstance(origin, QuerySet):
        return None if origin.model is type(obj) else obj  # (a queryset of users being deleted: any of them)
    return None if isinstance(origin, type(obj)) and origin.pk == obj.pk else obj


# --- logins ---------------------------------------------------------------------------------------------------
def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    security_event_record(kind=EventKind.LOGIN, actor=user, request=request)


def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        security_event_record(kind=EventKind.LOGOUT, actor=user, request=request)


def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or "")
    security_event_record(
        kind=EventKind.LOGIN_FAILED, subject=_user_named(username), username=username, request=request
    )


def on_locked_out(sender: Any, request: Any = None, username: str = "", ip_address: str = "", **kwargs: Any) -> None:
    security_event_record(
        kind=EventKind.LOCKOUT, subject=_user_named(username or ""), username=username or "", request=request,
        detail={"ip_address": ip_address} if ip_address else None,
    )  # fmt: skip


def on_attempt_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    """An axes attempt row removed while it locked the account: an unlock (by an admin, or at cool-off)."""
    limit = settings.AXES_FAILURE_LIMIT
    if isinstance(limit, int) and instance.failures_since_start >= limit:
        security_event_record(
            kind=EventKind.UNLOCK,
            subject=_user_named(instance.username or ""),
            username=instance.username or "",
            detail={"ip_address": instance.ip_address} if instance.ip_address else None,
        )


def _user_named(username: str) -> Any:
    if not username:
        return None
    return get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first()


# --- MFA ------------------------------------------------------------------------------------------------------
def before_totp_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.pk is not None:
        old = sender._default_manager.filter(pk=instance.pk).values_list("confirmed", flat=True).first()
        instance.__dict__[OLD] = {"confirmed": bool(old)}


def on_totp_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    was_confirmed = _old(instance).get("confirmed", False)
    if instance.confirmed and (created or not was_confirmed):
        security_event_record(kind=EventKind.MFA_ENABLED, subject=instance.user, detail={"device": instance.name})
    elif was_confirmed and not instance.confirmed:
        security_event_record(kind=EventKind.MFA_DISABLED, subject=instance.user, detail={"device": instance.name})


def on_totp_deleted(sender: Any, instance: Any, origin: Any = None, **kwargs: Any) -> None:
    user = _surviving(instance.user, origin)
    if instance.confirmed and user is not None:
        security_event_record(kind=EventKind.MFA_DISABLED, subject=user, detail={"device": instance.name})


def on_static_token_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    user = instance.device.user
    recent = SecurityEvent.objects.filter(
        kind=EventKind.RECOVERY_CODES_GENERATED, subject=user, at__gte=timezone.now() - RECOVERY_BATCH_WINDOW
    )
    if not recent.exists():
        security_event_record(kind=EventKind.RECOVERY_CODES_GENERATED, subject=user)


# --- passwords ------------------------------------------------------------------------------------------------
def before_user_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if instance._state.adding or (update_fields is not None and "password" not in update_fields):
        return
    old = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is not None and old != instance.password:
        instance.__dict__[OLD] = {"password": old}


def on_user_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    old_hash = _old(instance).get("password")
    if created or old_hash is None:
        return
    # Django's set_password leaves the raw password in `_password` until the save is over; a hasher
    # upgrade at login re-hashes the same password with `_password` cleared ("not a password change").
    if getattr(instance, "_password", None) is None and is_password_usable(instance.password):
        old = get_user_model()(password=old_hash)
        api_tokens_follow_rehash(user=instance, old_fingerprint=password_fingerprint(old))
        return
    request = current_request.get()
    match = getattr(request, "resolver_match", None)
    reset = match is not None and "reset" in (match.url_name or "")
    security_event_record(kind=EventKind.PASSWORD_RESET if reset else EventKind.PASSWORD_CHANGED, subject=instance)


# --- organizations: members, roles, grants, the MFA requirement -------------------------------------------------
def before_membership_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not instance._state.adding:
        old = sender._default_manager.filter(pk=instance.pk).values("role", "all_sites").first()
        if old:
            instance.__dict__[OLD] = old


def on_membership_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    old = _old(instance)
    common = {"subject": instance.user, "organization": instance.organization}
    if created:
        detail = {"role": instance.role, "all_sites": instance.all_sites}
        security_event_record(kind=EventKind.MEMBERSHIP_ADDED, detail=detail, **common)
    elif old and (old["role"], old["all_sites"]) != (instance.role, instance.all_sites):
        detail = {"from": old["role"], "to": instance.role, "all_sites": instance.all_sites}
        security_event_record(kind=EventKind.ROLE_CHANGED, detail=detail, **common)


def on_membership_deleted(sender: Any, instance: Any, origin: Any = None, **kwargs: Any) -> None:
    user = _surviving(instance.user, origin)
    organization = _surviving(instance.organization, origin)
    security_event_record(
        kind=EventKind.MEMBERSHIP_REMOVED, subject=user, organization=organization,
        username=instance.user.get_username(), detail={"role": instance.role},
    )  # fmt: skip


def _grant_event(kind: EventKind, instance: Any, origin: Any = None) -> None:
    target = instance.content_object
    organization = getattr(target, "organization", None)
    security_event_record(
        kind=kind,
        subject=_surviving(instance.user, origin),
        organization=_surviving(organization, origin),
        username=instance.user.get_username(),
        detail={"permission": instance.permission.codename, "object": str(target)},
    )


def on_grant_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        _grant_event(EventKind.GRANT_ADDED, instance)


def on_grant_deleted(sender: Any, instance: Any, origin: Any = None, **kwargs: Any) -> None:
    _grant_event(EventKind.GRANT_REMOVED, instance, origin)


def before_organization_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not instance._state.adding and hasattr(instance, "require_mfa"):
        old = sender._default_manager.filter(pk=instance.pk).values_list("require_mfa", flat=True).first()
        instance.__dict__[OLD] = {"require_mfa": old}


def on_organization_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    old = _old(instance)
    if "require_mfa" in old and old["require_mfa"] is not None and old["require_mfa"] != instance.require_mfa:
        security_event_record(
            kind=EventKind.MFA_REQUIRED_CHANGED, organization=instance, detail={"required": instance.require_mfa}
        )


# --- wiring ---------------------------------------------------------------------------------------------------
def connect() -> None:
    """Connect every receiver (SecurityConfig.ready). dispatch_uid keeps a second call harmless."""
    from axes.models import AccessAttempt
    from axes.signals import user_locked_out
    from django_otp.plugins.otp_static.models import StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from guardian.models import UserObjectPermission

    from accounts.access import site_grant_model

    User = get_user_model()
    Membership = apps.get_model("accounts", "Membership")
    Organization = apps.get_model("accounts", "Organization")
    wiring: list[tuple[Any, Any, Any]] = [
        (user_logged_in, on_logged_in, None),
        (user_logged_out, on_logged_out, None),
        (user_login_failed, on_login_failed, None),
        (user_locked_out, on_locked_out, None),
        (post_delete, on_attempt_deleted, AccessAttempt),
        (pre_save, before_totp_saved, TOTPDevice),
        (post_save, on_totp_saved, TOTPDevice),
        (post_delete, on_totp_deleted, TOTPDevice),
        (post_save, on_static_token_saved, StaticToken),
        (pre_save, before_user_saved, User),
        (post_save, on_user_saved, User),
        (pre_save, before_membership_saved, Membership),
        (post_save, on_membership_saved, Membership),
        (post_delete, on_membership_deleted, Membership),
        (pre_save, before_organization_saved, Organization),
        (post_save, on_organization_saved, Organization),
    ]
    for grant_model in {UserObjectPermission, site_grant_model()}:
        wiring += [(post_save, on_grant_saved, grant_model), (post_delete, on_grant_deleted, grant_model)]
    for signal, receiver, sender in wiring:
        uid = f"security.{receiver.__name__}.{sender.__name__ if sender else ''}"
        signal.connect(receiver, sender=sender, dispatch_uid=uid, weak=False)
