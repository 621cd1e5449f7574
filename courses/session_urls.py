from django.urls import path

from . import session_views as views

app_name = "sessions"

urlpatterns = [
    path("check-in/code/", views.check_in_by_code, name="check_in_code"),
    path("<int:session_id>/check-in/", views.check_in, name="check_in"),
    path("<int:session_id>/check-out/", views.check_out, name="check_out"),
    path("<int:session_id>/screen/", views.screen, name="screen"),
    path("<int:session_id>/screen/token/", views.screen_token, name="screen_token"),
    path("<int:session_id>/attendance/", views.attendance, name="attendance"),
]
