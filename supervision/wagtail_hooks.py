"""Register the admin viewsets of supervision (coordinators: shifts,
exemptions, supervisor assignments, techniques, pairings, rules)."""

from wagtail import hooks

from .viewsets import entries, pairing, shifts, supervisions


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [
        *shifts.VIEWSETS,
        *entries.VIEWSETS,
        *supervisions.VIEWSETS,
        *pairing.VIEWSETS,
    ]
