import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from lms.core.models import AuditAction, AuditEvent
from lms.core.services.audit import audit_record
from tests.conftest import PASSWORD


def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm(org):
    event = audit_record(actor=org.coordinator, action=AuditAction.EXPORT, obj=org.east)
    event.detail = "rewritten"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(detail="rewritten")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_an_update_of_the_audit_log(org):
    event = audit_record(actor=org.coordinator, action=AuditAction.EXPORT)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE core_auditevent SET detail = 'x' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.detail == ""


def test_audit_record_keeps_object_actor_and_ip(org, rf):
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    event = audit_record(
        actor=org.leader,
        action=AuditAction.EXPORT,
        obj=org.west,
        request=request,
        detail="hours.xlsx",
    )
    assert (event.actor_label, event.object_repr, event.ip) == (
        "leader",
        "西区站",
        "10.1.2.3",
    )


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(org, rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert (
        audit_record(actor=None, action=AuditAction.EXPORT, request=request).ip
        == "10.0.0.1"
    )
    settings.LMS_TRUSTED_PROXIES = 1
    assert (
        audit_record(actor=None, action=AuditAction.EXPORT, request=request).ip
        == "1.2.3.4"
    )


def test_login_and_failed_login_are_audited(org, client):
    client.post("/accounts/login/", {"login": "trainee", "password": "wrong-password"})
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.actor is None and failed.actor_label == "trainee"
    assert failed.ip == "127.0.0.1"
    client.post("/accounts/login/", {"login": "trainee", "password": PASSWORD})
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN, actor=org.trainee
    ).exists()
    client.post("/accounts/logout/")
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGOUT, actor=org.trainee
    ).exists()
