"""Demo organisation and people (used by ``manage.py demo_data``)."""

from allauth.account.models import EmailAddress
from django.db import transaction

from .models import OrgUnit, Role, User
from .services.org import unit_create
from .services.people import person_create

DEMO_PASSWORD = "xinxun-demo-2026"  # noqa: S105 - printed by `make demo`

T, S, C, L = Role.TRAINEE, Role.SUPERVISOR, Role.COORDINATOR, Role.LEADER

# code, name, level, parent code
UNITS = [
    ("demo-city", "示范市心理服务中心", OrgUnit.Level.CITY, None),
    ("demo-east", "东城区心理服务站", OrgUnit.Level.COUNTY, "demo-city"),
    ("demo-west", "西山县心理服务站", OrgUnit.Level.COUNTY, "demo-city"),
    ("demo-east-police", "东城派出所心理辅导室", OrgUnit.Level.GRASSROOTS, "demo-east"),
    ("demo-east-lake", "东湖社区心理室", OrgUnit.Level.GRASSROOTS, "demo-east"),
    ("demo-west-police", "西山派出所心理辅导室", OrgUnit.Level.GRASSROOTS, "demo-west"),
    ("demo-west-river", "西河社区心理室", OrgUnit.Level.GRASSROOTS, "demo-west"),
]

# username, full name, unit code, roles
PEOPLE = [
    ("leader", "周明远", "demo-city", [L]),
    ("coordinator", "陈静", "demo-city", [C]),
    ("supervisor", "林晓岚", "demo-city", [S]),
    ("sup_wang", "王建国", "demo-city", [S, C]),
    ("east_leader", "赵立新", "demo-east", [L]),
    ("east_coord", "孙丽", "demo-east", [C]),
    ("east_sup", "李文", "demo-east", [S]),
    ("west_leader", "钱志强", "demo-west", [L]),
    ("west_coord", "吴芳", "demo-west", [C]),
    ("west_sup", "郑海", "demo-west", [S]),
    ("trainee", "张伟", "demo-east-police", [T]),
    ("ep_liu", "刘洋", "demo-east-police", [T]),
    ("ep_huang", "黄磊", "demo-east-police", [T]),
    ("ep_he", "何敏", "demo-east-police", [T, S]),
    ("el_guo", "郭晓燕", "demo-east-lake", [T]),
    ("el_ma", "马丽华", "demo-east-lake", [T]),
    ("el_luo", "罗军", "demo-east-lake", [T]),
    ("el_liang", "梁雪", "demo-east-lake", [T]),
    ("wp_song", "宋涛", "demo-west-police", [T]),
    ("wp_xie", "谢婷", "demo-west-police", [T]),
    ("wp_han", "韩冰", "demo-west-police", [T]),
    ("wp_tang", "唐亮", "demo-west-police", [T]),
    ("wr_feng", "冯雅", "demo-west-river", [T]),
    ("wr_yu", "于洪", "demo-west-river", [T]),
    ("wr_dong", "董佳", "demo-west-river", [T]),
    ("wr_xiao", "萧然", "demo-west-river", [T]),
    ("wr_cheng", "程诚", "demo-west-river", [T]),
    ("ep_cao", "曹雨", "demo-east-police", [T]),
    ("el_peng", "彭慧", "demo-east-lake", [T]),
    ("wp_zeng", "曾刚", "demo-west-police", [T]),
]


@transaction.atomic
def load_demo_data() -> dict[str, int]:
    """Create the demo units and people; existing rows are left untouched,
    so a second run changes nothing."""
    created = {"units": 0, "people": 0}
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_superuser(
            "admin", "admin@example.com", DEMO_PASSWORD, full_name="平台管理员"
        )
        created["people"] += 1
    by_code = {unit.code: unit for unit in OrgUnit.objects.all()}
    for code, name, level, parent_code in UNITS:
        if code in by_code:
            continue
        by_code[code] = unit_create(
            actor=admin,
            parent=by_code[parent_code] if parent_code else None,
            name=name,
            code=code,
            level=level,
        )
        created["units"] += 1
    existing = set(User.objects.values_list("username", flat=True))
    for username, full_name, unit_code, roles in PEOPLE:
        if username in existing:
            continue
        person_create(
            actor=admin,
            username=username,
            full_name=full_name,
            email=f"{username}@demo.xinxun.example",
            home_unit=by_code[unit_code],
            roles=roles,
            password=DEMO_PASSWORD,
        )
        created["people"] += 1
    _demo_addresses_verified()
    return created


def _demo_addresses_verified() -> None:
    """Demo addresses count as verified: allauth sets up a second factor
    only for a verified address, and nobody can click a link sent to
    ``demo.xinxun.example``."""
    for person in User.objects.filter(email__endswith="@demo.xinxun.example"):
        EmailAddress.objects.update_or_create(
            user=person,
            email=person.email,
            defaults={"verified": True, "primary": True},
        )
