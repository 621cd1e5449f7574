from django.urls import include, path
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("reports/", include("lms.reports.urls")),
    path("", include("lms.core.urls")),
]

handler403 = "lms.core.errors.permission_denied"
handler404 = "lms.core.errors.page_not_found"
handler500 = "lms.core.errors.server_error"
