from .append_only import AppendOnlyModel, AppendOnlyQuerySet, StatusStep
from .audit import AuditAction, AuditEvent
from .ledger import HoursCategory, HoursEntry
from .notices import Notice
from .ops import WorkerHeartbeat
from .org import (
    MFA_ROLES,
    SCOPED_ROLES,
    OrgUnit,
    PersonCategory,
    Role,
    User,
    role_group,
)

__all__ = [
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "StatusStep",
    "MFA_ROLES",
    "SCOPED_ROLES",
    "AuditAction",
    "AuditEvent",
    "HoursCategory",
    "HoursEntry",
    "Notice",
    "OrgUnit",
    "PersonCategory",
    "Role",
    "User",
    "WorkerHeartbeat",
    "role_group",
]
