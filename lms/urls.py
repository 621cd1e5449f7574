from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("reports/", include("lms.reports.urls")),
    path("sessions/", include("courses.session_urls")),
    path("manage/roster/", include("courses.roster_urls")),
    path("learn/", include("courses.urls")),
    path("practice/", include("supervision.urls")),
    path("manage/cohorts/", include("courses.cohort_urls")),
    path("", include("lms.core.urls")),
    # Wagtail's own front-end login (for page privacy) has no rate limit;
    # send it to allauth's, which does.
    path(
        "_util/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
    ),
    # The syllabus pages; Wagtail's catch-all comes last.
    path("", include(wagtail_urls)),
]

handler403 = "lms.core.errors.permission_denied"
handler404 = "lms.core.errors.page_not_found"
handler500 = "lms.core.errors.server_error"
