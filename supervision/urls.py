"""Practice and supervision pages under /practice/.  Each area's view
module carries its own ``urlpatterns``; they share one namespace."""

from .views import (
    cases,
    certificates,
    certification,
    deployments,  # --- deploy ---
    entries,
    home,
    inbox,
    pairing,
    qualifications,
    ratings,
    reviews,
    shifts,
    supervisions,
)

app_name = "supervision"

urlpatterns = [
    *home.urlpatterns,
    *shifts.urlpatterns,
    *entries.urlpatterns,
    *supervisions.urlpatterns,
    *cases.urlpatterns,
    *pairing.urlpatterns,
    *reviews.urlpatterns,
    *inbox.urlpatterns,
    *certificates.urlpatterns,
    *ratings.urlpatterns,
    *qualifications.urlpatterns,
    *certification.urlpatterns,
    *deployments.urlpatterns,  # --- deploy ---
]

# --- teams ---
from .views import crisis_teams  # noqa: E402

urlpatterns += crisis_teams.urlpatterns
# --- directory ---
from .views import coverage, directory  # noqa: E402

urlpatterns += [*directory.urlpatterns, *coverage.urlpatterns]
# --- /directory ---
# --- pool ---
from .views import pool  # noqa: E402

urlpatterns += pool.urlpatterns
# --- end pool ---
