"""The links on the practice home page, by role.  One place, so the home
page, the navigation and the tests agree on what each role is offered."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from lms.core.models import Role

#: (url name, label, roles that see it); unknown names are skipped so an
#: area can land on its own.
SECTIONS = [
    ("supervision:shift_list", _("Duty shifts"), {Role.TRAINEE}),
    ("supervision:entry_list", _("My practice log"), {Role.TRAINEE}),
    ("supervision:my_supervision", _("My supervision"), {Role.TRAINEE}),
    ("supervision:technique_list", _("Techniques"), {Role.TRAINEE}),
    ("supervision:video_lesson_list", _("My video lessons"), {Role.TRAINEE}),
    ("supervision:case_list", _("Cases"), {Role.TRAINEE, Role.SUPERVISOR}),
    ("supervision:inbox_show", _("Supervisor inbox"), {Role.SUPERVISOR}),
    ("supervision:session_list", _("Supervision sessions"), {Role.SUPERVISOR}),
    ("supervision:pairing_mine", _("My grid workers"), {Role.TRAINEE, Role.SUPERVISOR}),
    (
        "supervision:shift_compliance",
        _("Shift compliance"),
        {Role.COORDINATOR, Role.LEADER},
    ),
    ("supervision:pairing_list", _("Pairs (一帮二)"), {Role.COORDINATOR}),
    ("supervision:case_summary", _("Case counts"), {Role.COORDINATOR, Role.LEADER}),
    (
        "supervision:certification_home",
        _("Certification"),
        {Role.TRAINEE, Role.SUPERVISOR, Role.COORDINATOR, Role.LEADER},
    ),
    (
        "supervision:certification_queue",
        _("Certification applications"),
        {Role.COORDINATOR},
    ),
    ("supervision:qualification_list", _("My qualifications"), {Role.TRAINEE}),
    ("supervision:my_ratings", _("My competency ratings"), {Role.TRAINEE}),
    (
        "supervision:qualification_queue",
        _("Qualifications to verify"),
        {Role.COORDINATOR},
    ),
    (
        "supervision:certificate_register",
        _("Certificate register"),
        {Role.COORDINATOR, Role.LEADER},
    ),
    # --- deploy ---
    (
        "supervision:deployment_list",
        _("Crisis deployments"),
        {Role.COORDINATOR, Role.LEADER},
    ),
]


def sections_for(user) -> list[dict]:
    sections = []
    for name, label, roles in SECTIONS:
        if not (user.roles & roles):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        sections.append({"name": name, "url": url, "label": label})
    return sections


# --- teams ---
SECTIONS += [
    (
        "supervision:crisis_team_list",
        _("Crisis-response teams"),
        {Role.TRAINEE, Role.SUPERVISOR, Role.COORDINATOR, Role.LEADER},
    ),
]
# --- directory ---
SECTIONS += [
    (
        "supervision:pool_directory",
        _("Talent-pool directory"),
        {Role.COORDINATOR, Role.LEADER},
    ),
    ("supervision:coverage", _("Staffing coverage"), {Role.COORDINATOR, Role.LEADER}),
]
# --- /directory ---
# --- pool ---
SECTIONS += [
    ("supervision:pool_mine", _("My tier"), {Role.TRAINEE}),
    ("supervision:pool_review", _("Talent-pool review"), {Role.COORDINATOR}),
]
# --- end pool ---
# --- entries16 ---
_sections_without_counts = sections_for


def sections_for(user) -> list[dict]:  # noqa: F811 (wraps the one above)
    """The sections, with the practice log's line saying how many entries
    a supervisor returned to the user (a returned entry must not go unseen)."""
    from django.utils.text import format_lazy
    from django.utils.translation import ngettext

    sections = _sections_without_counts(user)
    for section in sections:
        if section["name"] != "supervision:entry_list":
            continue
        from .selectors.entries import returned_entries_of

        count = returned_entries_of(person=user).count()
        if count:
            note = ngettext(
                "%(count)d entry returned to you",
                "%(count)d entries returned to you",
                count,
            ) % {"count": count}
            section["label"] = format_lazy("{}（{}）", section["label"], note)
            section["badge"] = count
    return sections


# --- /entries16 ---
