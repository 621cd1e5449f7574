"""Demo crisis-response teams (used by ``supervision.demo`` through the
integrator's call to ``build_crisis``).

- 示范市危机干预小组 at the city centre: twelve members led by 林晓岚,
  needing the 危机干预 certificate and a drill every twelve months; two
  drills, so six members are ready, three lapse within 30 days (a
  certificate about to expire, a drill nearly a year old) and three are
  not ready (no certificate, an expired one, no drill attended).
- 东城区战时心理小分队 at the east station, led by 李文, drilling every six
  months.
- The Yuanqu pattern (seed 003: a 13-person team assembled during an
  8-day lockdown): 西山县心理援助队 of thirteen, called out for a lockdown
  four months ago, every call-out accepted, the deployment closed; three
  crisis-intervention entries, one approved by the lead and two waiting
  for the lead's sign-off.

Structure rows (the track's certificates, the call-outs, the deployment)
are made directly, since their own services belong to other areas or need
a whole certification history; teams, drills, attendance and practice
entries go through their services, so audit, ledger and history are what
the product would have written.  Idempotent: nothing happens when the city
team exists.
"""

import datetime

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from lms.core.demo import DEMO_PASSWORD
from lms.core.models import OrgUnit, PersonCategory, Role, User
from lms.core.status import status_change, status_record

from .models import (
    CallOut,
    Certificate,
    CrisisTeam,
    Deployment,
    Enrolment,
    IncidentType,
    PracticeEntry,
    Requirement,
    Track,
)

CITY_TEAM = "示范市危机干预小组"
TRACK_CODE = "crisis-intervention"
#: New demo people: username, full name, unit code, category.
PEOPLE = [
    ("cr_zhou", "周安然", "demo-city", PersonCategory.PROFESSIONAL),
    ("cr_qian", "钱思远", "demo-east", PersonCategory.PROFESSIONAL),
    ("cr_sun", "孙慧敏", "demo-west", PersonCategory.PROFESSIONAL),
    ("cr_li", "李沐阳", "demo-east-lake", PersonCategory.VOLUNTEER),
    ("cr_zhang", "张秋实", "demo-west-river", PersonCategory.VOLUNTEER),
    ("cr_wu", "吴宁", "demo-east-police", PersonCategory.POLICE),
    ("cr_xu", "徐晴", "demo-west-police", PersonCategory.POLICE),
    ("cr_hu", "胡晓东", "demo-city", PersonCategory.PROFESSIONAL),
    ("cr_tian", "田雨", "demo-west-river", PersonCategory.VOLUNTEER),
    ("cr_pan", "潘悦", "demo-west-river", PersonCategory.VOLUNTEER),
]
#: City team members by readiness: certificate expiry in days from today
#: (None: no certificate), and which drills they attended.
CITY_MEMBERS = [
    ("supervisor", 700, ("recent",)),
    ("sup_wang", 700, ("recent", "old")),
    ("ep_he", 500, ("recent",)),
    ("cr_zhou", 600, ("recent", "old")),
    ("cr_qian", 400, ("recent",)),
    ("cr_sun", 650, ("recent",)),
    ("trainee", 20, ("recent",)),  # amber: the certificate lapses soon
    ("cr_li", 600, ("old",)),  # amber: the only drill is nearly a year old
    ("cr_zhang", 12, ("recent",)),  # amber
    ("cr_wu", None, ("recent",)),  # red: no certificate
    ("cr_xu", -15, ("recent",)),  # red: the certificate expired
    ("cr_hu", 600, ()),  # red: absent from the drills
]
SQUAD = ["ep_liu", "ep_huang", "ep_cao", "el_guo", "el_ma", "el_luo"]
AID_TEAM = [
    "wp_song",
    "wp_xie",
    "wp_han",
    "wp_tang",
    "wp_zeng",
    "wr_feng",
    "wr_yu",
    "wr_dong",
    "wr_xiao",
    "wr_cheng",
    "cr_tian",
    "cr_pan",
]


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _people(admin: User) -> dict[str, User]:
    from lms.core.services.people import person_create

    units = {unit.code: unit for unit in OrgUnit.objects.all()}
    existing = set(User.objects.values_list("username", flat=True))
    for username, full_name, unit_code, category in PEOPLE:
        if username in existing:
            continue
        person = person_create(
            actor=admin,
            username=username,
            full_name=full_name,
            email=f"{username}@demo.xinxun.example",
            home_unit=units[unit_code],
            roles=[Role.TRAINEE],
            category=category,
            password=DEMO_PASSWORD,
        )
        EmailAddress.objects.update_or_create(
            user=person,
            email=person.email,
            defaults={"verified": True, "primary": True},
        )
    return {user.username: user for user in User.objects.all()}


def _track(city: OrgUnit, coordinator: User) -> Track:
    """The 危机干预 certification track the city team requires."""
    from .services import certification as services

    track = Track.objects.filter(code=TRACK_CODE).first()
    if track is not None:
        return track
    track = services.track_create(
        actor=coordinator,
        code=TRACK_CODE,
        name="危机干预",
        unit=city,
        description="可参加危机干预小组：在督导下参与危机干预，熟悉心理急救流程。",
        validity_months=24,
    )
    draft = track.versions.get()
    Requirement.objects.create(
        version=draft,
        position=1,
        kind=Requirement.Kind.PRACTICE,
        title="在督导下参与危机干预 3 次",
        need=3,
        practice_kinds=[PracticeEntry.Kind.CRISIS],
    )
    services.track_publish(actor=coordinator, version=draft, note="首版")
    return track


def _certify(person: User, track: Track, expires_in: int) -> None:
    version = track.versions.order_by("-number").first()
    enrolment, _created = Enrolment.objects.get_or_create(
        person=person,
        track=track,
        defaults={"version": version, "status": Enrolment.Status.APPROVED},
    )
    expires_on = _days(expires_in)
    Certificate.objects.create(
        enrolment=enrolment,
        holder=person,
        track=track,
        version=version,
        unit=person.home_unit,
        issued_on=expires_on - datetime.timedelta(days=730),
        expires_on=expires_on,
    )


def _drill(actor, team, *, title, day, present, absent=()):
    """A drill session on ``day`` linked to ``team``, with its attendance
    marked by ``actor``."""
    from courses.models import OfflineSession
    from courses.services.attendance import attendance_mark
    from courses.services.sessions import session_create

    from .services.crisis_teams import team_drill_link

    session = session_create(
        actor=actor,
        kind=OfflineSession.Kind.BEHAVIOUR,
        title=title,
        unit=team.unit,
        place=f"{team.unit.name} 应急演练场地",
        starts_at=_at(day, 9),
        ends_at=_at(day, 12),
        credit_hours="3",
    )
    team_drill_link(actor=actor, team=team, session=session)
    for people, status in ((present, "present"), (absent, "absent")):
        for person in people:
            attendance_mark(
                actor=actor,
                session=session,
                person=person,
                status=status,
                checked_in_at=_at(day, 9) if status == "present" else None,
                reason="演练签到表补录",
            )
    return session


def _city_team(people, track) -> CrisisTeam:
    from .services.crisis_teams import crisis_team_create

    coordinator = people["coordinator"]
    members = [people[name] for name, _expiry, _drills in CITY_MEMBERS]
    team = crisis_team_create(
        actor=coordinator,
        name=CITY_TEAM,
        unit=OrgUnit.objects.get(code="demo-city"),
        kind=CrisisTeam.Kind.INTERVENTION,
        lead=people["supervisor"],
        members=members,
        required_tracks=[track],
        drill_interval_months=12,
    )
    for name, expiry, _drills in CITY_MEMBERS:
        if expiry is not None:
            _certify(people[name], track, expiry)
    for key, title, day in (
        ("old", "危机干预小组年度综合演练", _days(-345)),
        ("recent", "危机干预小组季度演练：心理急救与转介", _days(-60)),
    ):
        present = [people[n] for n, _e, drills in CITY_MEMBERS if key in drills]
        absent = [people["cr_hu"]] if key == "recent" else []
        _drill(coordinator, team, title=title, day=day, present=present, absent=absent)
    return team


def _squad(people) -> CrisisTeam:
    from .services.crisis_teams import crisis_team_create

    coordinator = people["east_coord"]
    team = crisis_team_create(
        actor=coordinator,
        name="东城区战时心理小分队",
        unit=OrgUnit.objects.get(code="demo-east"),
        kind=CrisisTeam.Kind.SQUAD,
        lead=people["east_sup"],
        members=[people[name] for name in SQUAD],
        drill_interval_months=6,
    )
    _drill(
        coordinator,
        team,
        title="战时心理小分队应急拉动演练",
        day=_days(-50),
        present=[people["east_sup"]] + [people[name] for name in SQUAD[:-1]],
    )
    return team


def _lockdown(people, unit: OrgUnit) -> Deployment:
    """Yuanqu's pattern: a team of thirteen called out for an eight-day
    lockdown four months ago, every call-out accepted, then closed."""
    from .services import entries as entry_services
    from .services.crisis_teams import crisis_team_create

    coordinator, lead = people["west_coord"], people["west_sup"]
    members = [people[name] for name in AID_TEAM]
    team = crisis_team_create(
        actor=coordinator,
        name="西山县心理援助队",
        unit=unit,
        kind=CrisisTeam.Kind.AID,
        lead=lead,
        members=members,
        drill_interval_months=12,
    )
    _drill(
        coordinator,
        team,
        title="心理援助队年度演练",
        day=_days(-150),
        present=[lead, *members[:10]],
    )
    deployment = Deployment.objects.create(
        title="疫情静默期心理支援（8 天）",
        incident_type=IncidentType.LOCKDOWN,
        description=(
            "参照垣曲县经验：静默 8 天期间组建 13 人心理支援队，开通心理热线，"
            "入户开展心理疏导，对高风险人员及时转介。"
        ),
        unit=unit,
        team=team,
        starts_on=_days(-120),
        ends_on=_days(-113),
        size=13,
        created_by=coordinator,
    )
    status_record(deployment, actor=coordinator, comment="组建心理支援队")
    called_at = _at(deployment.starts_on, 8)
    for rank, person in enumerate([lead, *members], 1):
        CallOut.objects.create(
            deployment=deployment,
            person=person,
            rank=rank,
            reasons=["本县心理援助队队员"],
            status=CallOut.Status.ACCEPTED,
            called_at=called_at,
            answered_at=called_at + datetime.timedelta(minutes=10 + rank * 3),
        )
    status_change(deployment, to=Deployment.Status.CALLED, actor=coordinator)
    status_change(
        deployment,
        to=Deployment.Status.CLOSED,
        actor=coordinator,
        comment="静默解除，支援结束。",
    )
    for person, day, title in (
        (people["wp_song"], 1, "静默小区入户心理疏导"),
        (people["wp_song"], 4, "心理热线值守：居家隔离焦虑"),
        (people["wr_feng"], 2, "隔离点团体稳定化活动"),
    ):
        entry = entry_services.practice_entry_create(
            actor=person,
            kind=PracticeEntry.Kind.CRISIS,
            occurred_on=deployment.starts_on + datetime.timedelta(days=day),
            minutes=180,
            title=title,
            reflection="运用心理急救与稳定化技术，识别并转介高风险居民。",
            deployment=deployment,
        )
        entry_services.practice_entry_submit(actor=person, entry=entry)
        if title.startswith("静默小区"):
            entry_services.practice_entry_approve(
                actor=lead, entry=entry, comment="记录清楚，辛苦了。"
            )
    return deployment


@transaction.atomic
def build_crisis(*, lockdown_unit_code: str = "demo-west") -> dict[str, int]:
    """The demo teams, drills, lockdown deployment and crisis entries (see
    the module docstring).  Needs the demo units and people
    (``lms.core.demo``); ``lockdown_unit_code`` names the county the
    Yuanqu-pattern deployment belongs to.  Idempotent."""
    if CrisisTeam.objects.filter(name=CITY_TEAM).exists():
        return {"teams": 0, "deployments": 0}
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    people = _people(admin)
    city = OrgUnit.objects.get(code="demo-city")
    track = _track(city, people["coordinator"])
    _city_team(people, track)
    _squad(people)
    _lockdown(people, OrgUnit.objects.get(code=lockdown_unit_code))
    return {"teams": 3, "deployments": 1}
