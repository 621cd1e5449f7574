from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from courses import urls as courses_urls
from lms.core import views as core_views


def to_allauth(pattern_name: str) -> RedirectView:
    """Another package's authentication page, sent to allauth's.

    There is one way to log in, out or reset a password: allauth's, with its
    rate limits, second factor and audit rows.  A POST is redirected with 303
    so the credentials it carried are dropped, never replayed.
    """

    class ToAllauth(RedirectView):
        query_string = True

        def get_redirect_url(self, *args, **kwargs):
            return super().get_redirect_url()

        def post(self, request, *args, **kwargs):
            response = super().get(request, *args, **kwargs)
            response.status_code = 303
            return response

    return ToAllauth.as_view(pattern_name=pattern_name)


urlpatterns = [
    path("favicon.ico", core_views.favicon),
    # Wagtail's own login, logout and password reset (every URL under them).
    path("admin/login/", to_allauth("account_login")),
    path("admin/logout/", to_allauth("account_logout")),
    path("admin/password_reset/", to_allauth("account_reset_password")),
    path("admin/password_reset/<path:rest>", to_allauth("account_reset_password")),
    # Wagtail's reports with safe exports, some for platform administrators only.
    path("admin/reports/", include("lms.core.wagtail_reports")),
    path("admin/", include(wagtailadmin_urls)),
    # Lesson attachments, checked against the lessons the reader may open
    # (in place of Wagtail's own document URLs, which check nothing).
    path("documents/", include(courses_urls.document_urls)),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("reports/", include("lms.reports.urls")),
    path("sessions/", include(courses_urls.session_urls)),
    path("manage/roster/", include(courses_urls.roster_urls)),
    path("learn/", include(courses_urls.learn_urls)),
    path("practice/", include("supervision.urls")),
    # The public certificate check: no login, rate-limited, exact serials only.
    path("verify/", include("supervision.views.verify")),
    path("crisis/answer/", include("supervision.views.callouts")),  # --- deploy ---
    path("manage/cohorts/", include(courses_urls.cohort_urls)),
    path("", include("lms.core.urls")),
    # Wagtail's own front-end login (for page privacy).
    path("_util/login/", to_allauth("account_login")),
    # The syllabus pages; Wagtail's catch-all comes last.
    path("", include(wagtail_urls)),
]

handler403 = "lms.core.errors.permission_denied"
handler404 = "lms.core.errors.page_not_found"
handler500 = "lms.core.errors.server_error"
