"""Demo talent pool (人才库) in both patterns of the seeds, scaled down.

- Ningbo (宁波), at the city centre: 外聘心理专家 (rank 3, no rules: the
  coordinator's decision) / 心理人才库 — 心理教官 and 资深咨询师 (rank 2,
  group 心理人才库) / 兼职心理辅导员 (rank 1); 3 experts, 3 instructors and
  9 senior counsellors, 40 part-time counsellors (seed: 15 / 12 + 36 /
  200+).
- Yuanqu (垣曲), at the west county station (a nearer scheme, so the west's
  people are in it): 专业队伍 / 志愿者队伍 / 网格员队伍; 7 professionals, 20
  volunteers, 20 grid workers (seed: 35 / volunteers / 100).

Tier rules are tier-purpose tracks made and published through the
certification services.  Members of tiers that ask for a certificate hold
one; one senior counsellor's certificate is revoked through
``certificate_revoke``, which flags them for review.  The demo trainee
(张伟) is a part-time counsellor, with the gaps to 心理教官 and 资深咨询师
visible on "my tier".  People, memberships and the first history rows are
made directly (a first intake, like the rest of the demo's structure).
"""

import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from lms.core.demo import DEMO_PASSWORD
from lms.core.models import HoursCategory, OrgUnit, PersonCategory, User, role_group

from .models import (
    Certificate,
    CertificateTransition,
    Enrolment,
    PoolMember,
    PoolScheme,
    QualificationKind,
    Requirement,
    Tier,
    TierChange,
    Track,
)

K = Requirement.Kind
THEORY = [HoursCategory.ONLINE_THEORY, HoursCategory.OFFLINE_THEORY]
INTAKE = "首批入库（示范数据）"

#: code, name, rank, group, rules: (track code, name, [(kind, title, need, params)])
NINGBO = [
    ("nb-expert", "外聘心理专家", 3, "", None),
    (
        "nb-instructor",
        "心理教官",
        2,
        "心理人才库",
        (
            "nb-instructor-rules",
            "心理教官准入规则",
            [
                (K.CERTIFICATE, "持有有效的心理讲师证书", 1, {"track": "lecturer"}),
                (
                    K.HOURS,
                    "近 36 个月实践 40 小时",
                    40,
                    {"hours": [HoursCategory.PRACTICE], "months": 36},
                ),
            ],
        ),
    ),
    (
        "nb-senior",
        "资深咨询师",
        2,
        "心理人才库",
        (
            "nb-senior-rules",
            "资深咨询师准入规则",
            [
                (
                    K.CERTIFICATE,
                    "持有有效的个体咨询与热线证书",
                    1,
                    {"track": "counselling-hotline"},
                ),
                (
                    K.HOURS,
                    "接受督导 20 小时",
                    20,
                    {"hours": [HoursCategory.SUPERVISION]},
                ),
            ],
        ),
    ),
    (
        "nb-part-time",
        "兼职心理辅导员",
        1,
        "",
        (
            "nb-part-time-rules",
            "兼职心理辅导员准入规则",
            [
                (K.HOURS, "理论学习 20 小时", 20, {"hours": THEORY}),
                (K.SHIFTS, "跟岗值班 4 次", 4, {}),
            ],
        ),
    ),
]
YUANQU = [
    (
        "yq-professional",
        "专业队伍",
        3,
        "",
        (
            "yq-professional-rules",
            "专业队伍准入规则",
            [
                (K.CERTIFICATE, "持有有效的团辅带领证书", 1, {"track": "group-lead"}),
                (K.QUALIFICATION, "持有国家心理咨询师三级证书", 1, {}),
            ],
        ),
    ),
    (
        "yq-volunteer",
        "志愿者队伍",
        2,
        "",
        (
            "yq-volunteer-rules",
            "志愿者队伍准入规则",
            [
                (K.SHIFTS, "跟岗值班 4 次", 4, {}),
                (K.PRACTICE, "经审核的实践 3 次", 3, {}),
            ],
        ),
    ),
    (
        "yq-grid",
        "网格员队伍",
        1,
        "",
        (
            "yq-grid-rules",
            "网格员队伍准入规则",
            [(K.HOURS, "理论学习 8 小时", 8, {"hours": THEORY})],
        ),
    ),
]

#: scheme code → tier code → (existing usernames, new people: prefix, count,
#: unit code, category)
MEMBERS = {
    "ningbo-pool": {
        "nb-expert": ([], ("nb_exp", 3, "demo-city", PersonCategory.PROFESSIONAL)),
        "nb-instructor": ([], ("nb_ins", 3, "demo-east", PersonCategory.POLICE)),
        "nb-senior": ([], ("nb_sen", 9, "demo-east", PersonCategory.VOLUNTEER)),
        "nb-part-time": (
            ["trainee", "ep_liu", "ep_cao", "el_guo", "el_ma", "el_luo", "el_peng"],
            ("nb_pt", 33, "demo-east-police", PersonCategory.POLICE),
        ),
    },
    "yuanqu-pool": {
        "yq-professional": (
            [],
            ("yq_pro", 7, "demo-west", PersonCategory.PROFESSIONAL),
        ),
        "yq-volunteer": (
            [],
            ("yq_vol", 20, "demo-west-river", PersonCategory.VOLUNTEER),
        ),
        "yq-grid": (
            ["wr_feng", "wr_yu", "wr_dong", "wr_xiao", "wr_cheng"],
            ("yq_grid", 15, "demo-west-river", PersonCategory.GRID_WORKER),
        ),
    },
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰"


def _rules(row, *, unit, actor, tracks, qualification):
    """Create and publish a tier-rules track through the services."""
    from .services import certification as services

    code, name, requirements = row
    track = services.track_create(
        actor=actor,
        code=code,
        name=name,
        unit=unit,
        description="人才库层级准入规则（示范数据）。",
        purpose=Track.Purpose.TIER,
    )
    draft = track.versions.get()
    for position, (kind, title, need, params) in enumerate(requirements, 1):
        fields = {}
        if kind == K.CERTIFICATE:
            fields["certificate_track"] = tracks[params["track"]]
        if kind == K.QUALIFICATION:
            fields["qualification_kind"] = qualification
        if kind == K.HOURS:
            fields["measure"] = Requirement.Measure.HOURS
            fields["hours_categories"] = list(params.get("hours", []))
        if params.get("months"):
            fields["period_months"] = params["months"]
        Requirement.objects.create(
            version=draft,
            position=position,
            kind=kind,
            title=title,
            need=need,
            **fields,
        )
    return services.track_publish(actor=actor, version=draft, note="首版")


def _scheme(code, name, unit, rows, *, actor, tracks, qualification) -> dict:
    scheme = PoolScheme.objects.create(
        code=code,
        name=name,
        unit=unit,
        description="示范数据：参照种子案例的层级与比例（按比例缩小）。",
    )
    tiers = {}
    for tier_code, tier_name, rank, group, rules in rows:
        version = (
            _rules(
                rules,
                unit=unit,
                actor=actor,
                tracks=tracks,
                qualification=qualification,
            )
            if rules
            else None
        )
        tiers[tier_code] = Tier.objects.create(
            scheme=scheme,
            code=tier_code,
            name=tier_name,
            rank=rank,
            group=group,
            rules=version,
        )
    return {"scheme": scheme, "tiers": tiers}


def _new_people(prefix, count, unit, category, taken: set[str]) -> list[User]:
    """``count`` trainees of ``unit`` in one insert (one password hash)."""
    password = make_password(DEMO_PASSWORD)
    people = []
    for index in range(1, count + 1):
        username = f"{prefix}{index:02d}"
        if username in taken:
            continue
        number = len(taken) + index
        name = SURNAMES[number * 7 % len(SURNAMES)] + GIVEN[number % len(GIVEN)]
        people.append(
            User(
                username=username,
                full_name=name
                + ("" if index % 3 else GIVEN[(number + 5) % len(GIVEN)]),
                home_unit=unit,
                category=category,
                password=password,
            )
        )
    made = User.objects.bulk_create(people)
    trainee_role = role_group("trainee")
    trainee_role.user_set.add(*made)
    return made


def _certify(person, track, issued_on) -> Certificate:
    """An approved enrolment and its certificate, issued ``issued_on``
    (made directly, as a past decision)."""
    enrolment = Enrolment.objects.create(
        person=person,
        track=track,
        version=track.versions.filter(published_at__isnull=False)
        .order_by("-number")
        .first(),
        status=Enrolment.Status.APPROVED,
    )
    expires = None
    if track.validity_months:
        from .services.certificates import add_months

        expires = add_months(issued_on, track.validity_months)
    certificate = Certificate.objects.create(
        enrolment=enrolment,
        holder=person,
        track=track,
        version=enrolment.version,
        unit=person.home_unit,
        issued_on=issued_on,
        expires_on=expires,
    )
    CertificateTransition.objects.create(
        certificate=certificate, to_status=Certificate.Status.ISSUED, comment="示范数据"
    )
    return certificate


def _certificate_tracks(tier: Tier) -> list[Track]:
    if tier.rules_id is None:
        return []
    return [
        req.certificate_track
        for req in tier.rules.requirements.filter(kind=K.CERTIFICATE).select_related(
            "certificate_track"
        )
    ]


@transaction.atomic
def build_pool(*, today: datetime.date | None = None) -> dict[str, int]:
    """The two demo schemes with their tiers, rules and members; one member
    flagged for review (a revoked certificate), and the demo trainee a
    part-time counsellor short of the next tier.  Needs the demo
    organisation and ``load_demo_certification``'s tracks.  Idempotent:
    does nothing when the Ningbo scheme exists."""
    from .services.certificates import certificate_revoke

    if PoolScheme.objects.filter(code="ningbo-pool").exists():
        return {"schemes": 0, "members": 0, "flagged": 0}
    today = today or timezone.localdate()
    units = {
        unit.code: unit for unit in OrgUnit.objects.filter(code__startswith="demo-")
    }
    people = {user.username: user for user in User.objects.all()}
    coordinator, west_coord = people["coordinator"], people["west_coord"]
    tracks = {track.code: track for track in Track.objects.all()}
    qualification = QualificationKind.objects.get(code="counsellor-3")
    schemes = {
        "ningbo-pool": _scheme(
            "ningbo-pool",
            "三级心理人才库（宁波模式）",
            units["demo-city"],
            NINGBO,
            actor=coordinator,
            tracks=tracks,
            qualification=qualification,
        ),
        "yuanqu-pool": _scheme(
            "yuanqu-pool",
            "三支队伍（垣曲模式）",
            units["demo-west"],
            YUANQU,
            actor=west_coord,
            tracks=tracks,
            qualification=qualification,
        ),
    }
    actors = {"ningbo-pool": coordinator, "yuanqu-pool": west_coord}
    taken = set(people)
    members, changes, flag_candidate = [], [], None
    since = timezone.now() - datetime.timedelta(days=200)
    for scheme_code, by_tier in MEMBERS.items():
        made = schemes[scheme_code]
        for tier_code, (
            usernames,
            (prefix, count, unit_code, category),
        ) in by_tier.items():
            tier = made["tiers"][tier_code]
            group = [people[name] for name in usernames if name in people]
            group += _new_people(prefix, count, units[unit_code], category, taken)
            taken |= {person.username for person in group}
            for index, person in enumerate(group):
                for track in _certificate_tracks(tier):
                    certificate = _certify(
                        person, track, today - datetime.timedelta(days=90 + index)
                    )
                    if tier_code == "nb-senior" and index == 0:
                        flag_candidate = certificate
                members.append(
                    PoolMember(
                        person=person, scheme=made["scheme"], tier=tier, since=since
                    )
                )
                changes.append(
                    TierChange(
                        person=person,
                        scheme=made["scheme"],
                        to_tier=tier,
                        actor=actors[scheme_code],
                        reason=INTAKE,
                        at=since,
                    )
                )
    PoolMember.objects.bulk_create(members)
    TierChange.objects.bulk_create(changes)
    if flag_candidate is not None:
        certificate_revoke(
            actor=coordinator,
            certificate=flag_candidate,
            reason="督导评估发现其个案记录不规范，证书暂停，待复核。",
        )
    return {
        "schemes": len(schemes),
        "members": len(members),
        "flagged": PoolMember.objects.exclude(review_reason="").count(),
    }
