"""Readiness of standing crisis-response teams under /practice/crisis/teams/:
every team the user may open with its green / amber / red counts, and one
team's page with each member's colour and reasons.

Who sees what (the issue left it open):

* coordinators and leaders over the team's unit, and the team's lead, see
  every member's row with its reasons;
* a member sees the team's counts, its drills and their own row with its
  reasons, never another member's colour or reasons;
* anyone else gets 404, the team's existence included.

The lead also finds there the crisis work of the team's deployments
waiting for their sign-off.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from ..models import PracticeEntry
from ..permissions import can_manage_crisis_team, can_see_all_readiness
from ..selectors import crisis as selectors
from ..selectors.inbox import pending_signoffs_for


@login_required
@require_safe
def crisis_team_list(request):
    """The teams the user may open, active first, with their counts and
    (for a member) their own colour; a fixed number of queries."""
    user = request.user
    teams = list(
        selectors.teams_visible_to(user=user).order_by("-is_active", "name", "pk")
    )
    today = timezone.localdate()
    found = selectors.readiness_many(teams, today)
    rows = []
    for team in teams:
        team_readiness = found[team.pk]
        rows.append(
            {
                "team": team,
                "counts": team_readiness.counts,
                "size": len(team_readiness.members),
                "mine": team_readiness.member(user.pk),
                "can_manage": can_manage_crisis_team(user, team),
            }
        )
    return render(
        request,
        "supervision/crisis/teams_list.html",
        {"rows": rows, "today": today},
    )


@login_required
@require_safe
def crisis_team_detail(request, pk: int):
    """One team's readiness (see the module docstring for who sees which
    rows); 404 for anyone who may not open the team."""
    user = request.user
    team = get_object_or_404(selectors.teams_visible_to(user=user), pk=pk)
    today = timezone.localdate()
    found = selectors.readiness(team, today)
    see_all = can_see_all_readiness(user, team)
    members = found.members if see_all else []
    mine = found.member(user.pk)
    to_sign = []
    if user.pk == team.lead_id:
        to_sign = list(
            pending_signoffs_for(user=user).filter(
                kind=PracticeEntry.Kind.CRISIS, deployment__team=team
            )[:50]
        )
    return render(
        request,
        "supervision/crisis/teams_detail.html",
        {
            "team": team,
            "today": today,
            "counts": found.counts,
            "size": len(found.members),
            "tracks": found.tracks,
            "members": members,
            "see_all": see_all,
            "mine": mine,
            "drills": list(selectors.team_drills(team)[:20]),
            "to_sign": to_sign,
            "can_manage": can_manage_crisis_team(user, team),
            "warn_days": selectors.WARN_DAYS,
        },
    )


urlpatterns = [
    path("crisis/teams/", crisis_team_list, name="crisis_team_list"),
    path("crisis/teams/<int:pk>/", crisis_team_detail, name="crisis_team_detail"),
]
