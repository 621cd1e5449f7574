"""The courses app's pages.  Each area's view module carries its own
``urlpatterns``; these mounts keep the paths and namespaces that are
printed on paper (the QR codes of check-in screens) and linked from mails.

``lms/urls.py`` includes each mount at its place in the site's order.
"""

from .views import cohorts, documents, learn, roster, sessions, videos

#: ``learn/``: the trainee's home, progress reports, quizzes, video files.
learn_urls = ([*learn.urlpatterns, *videos.urlpatterns], "courses")
#: ``sessions/``: check-in and check-out, the screen, the attendance sheet.
session_urls = (sessions.urlpatterns, "sessions")
#: ``manage/roster/``: the roster import for coordinators.
roster_urls = (roster.urlpatterns, "roster")
#: ``manage/cohorts/``: the cohort grid and its export.
cohort_urls = (cohorts.urlpatterns, "cohort_grid")
#: ``documents/``: lesson attachments, under Wagtail's URL names
#: (``wagtaildocs_serve`` is what ``Document.url`` reverses), no namespace.
document_urls = documents.urlpatterns
