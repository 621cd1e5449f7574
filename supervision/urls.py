"""Practice and supervision pages under /practice/.  Each area's view
module carries its own ``urlpatterns``; they share one namespace."""

from .views import (
    cases,
    certificates,
    certification,
    coverage,
    crisis_teams,
    deployments,
    directory,
    entries,
    home,
    inbox,
    pairing,
    pool,
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
    *pool.urlpatterns,
    *directory.urlpatterns,
    *coverage.urlpatterns,
    *crisis_teams.urlpatterns,
    *deployments.urlpatterns,
]
