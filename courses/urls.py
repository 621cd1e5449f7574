from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.learn_home, name="learn"),
    path("hours/", views.my_hours, name="my_hours"),
    path(
        "lessons/<int:lesson_id>/progress/",
        views.progress_report,
        name="progress_report",
    ),
    path("lessons/<int:lesson_id>/quiz/", views.quiz_submit, name="quiz_submit"),
    path("lessons/<int:lesson_id>/read/", views.mark_read, name="mark_read"),
    path("videos/<uuid:key>/poster.jpg", views.video_poster, name="video_poster"),
    path("videos/<uuid:key>/status/", views.video_status, name="video_status"),
    path("videos/<uuid:key>/<str:quality>.mp4", views.video_file, name="video_file"),
]
