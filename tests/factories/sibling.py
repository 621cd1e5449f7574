"""Rows of both stations in every admin area, for the tests that look for
leaks between siblings.  Every west name carries ``MARK`` (and the west
units keep their names from the ``org`` fixture), so a page or a file that
shows any west row is caught by looking for a few strings.  Made directly,
not through the services."""

import datetime
import json
from types import SimpleNamespace

from django.utils import timezone
from wagtail.log_actions import log

from lms.core.models import AuditAction, Role
from lms.core.services.audit import audit_record
from tests.factories.cohorts import make_cohort
from tests.factories.core import UserFactory
from tests.factories.courses import make_ready_video
from tests.factories.sessions import make_session
from tests.factories.shifts import make_exemption
from tests.factories.supervision import assign, make_entry, make_shift, pair

#: In every name of the west station's rows and people.
MARK = "Zephyr"


def sibling_markers(org) -> list[str]:
    """Strings that must never reach the east coordinator, each also as it
    reads inside JSON (``\\u897f...``), where Wagtail's admin puts data."""
    names = [MARK, org.west.name, org.west_room.name, "sibling", "west_trainee"]
    return names + [json.dumps(name)[1:-1] for name in names if not name.isascii()]


def _station(org, *, unit, room, coordinator, trainee, prefix):
    supervisor = UserFactory(
        username=f"{prefix}_supervisor",
        full_name=f"{prefix} 督导",
        home_unit=unit,
        roles=[Role.SUPERVISOR],
    )
    mentee = UserFactory(
        username=f"{prefix}_grid_worker",
        full_name=f"{prefix} 网格员",
        home_unit=room,
        roles=[Role.TRAINEE],
    )
    cohort = make_cohort(unit, name=f"{prefix} 训练班", members=[trainee])
    cohort.coordinators.add(coordinator)
    rows = SimpleNamespace(
        supervisor=supervisor,
        mentee=mentee,
        video=make_ready_video(
            unit,
            title=f"{prefix} 视频",
            original_filename=f"{prefix}-video.mp4",
            uploaded_by=coordinator,
        ),
        cohort=cohort,
        session=make_session(
            unit,
            title=f"{prefix} 讲座",
            place=f"{prefix} 会议室",
            cohort=cohort,
            facilitators=[coordinator, supervisor],
        ),
        shift=make_shift(unit, supervisor=supervisor, title=f"{prefix} 值班"),
        assignment=assign(trainee, supervisor, by=coordinator),
        exemption=make_exemption(
            trainee,
            timezone.localdate(),
            timezone.localdate() + datetime.timedelta(days=7),
            by=coordinator,
            reason=f"{prefix} 病假",
        ),
        entry=make_entry(trainee, status="submitted", title=f"{prefix} 实践记录"),
        pairing=pair(supervisor, mentee, by=coordinator),
    )
    for obj in (
        rows.video,
        rows.cohort,
        rows.session,
        rows.shift,
        rows.assignment,
        rows.exemption,
        rows.entry,
        room,
        trainee,
    ):
        log(instance=obj, action="wagtail.create", user=coordinator)
        log(instance=obj, action="wagtail.edit", user=coordinator)
    audit_record(actor=coordinator, action=AuditAction.PERSON_CHANGE, obj=trainee)
    return rows


def make_both_stations(org) -> SimpleNamespace:
    """East rows (the coordinator's own, so listings have something to
    show) and west rows named with ``MARK``; the west people are renamed
    to carry it too.  Returns ``.east`` and ``.west``."""
    org.sibling.full_name = f"{MARK} 沈西岚"
    org.sibling.save(update_fields=["full_name"])
    org.west_trainee.full_name = f"{MARK} 陆西帆"
    org.west_trainee.save(update_fields=["full_name"])
    return SimpleNamespace(
        east=_station(
            org,
            unit=org.east,
            room=org.east_room,
            coordinator=org.coordinator,
            trainee=org.trainee,
            prefix="Eastwind",
        ),
        west=_station(
            org,
            unit=org.west,
            room=org.west_room,
            coordinator=org.sibling,
            trainee=org.west_trainee,
            prefix=MARK,
        ),
    )
