from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("manage/", views.coordinator_home, name="coordinator_home"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("me/", views.my_account, name="my_account"),
    path("health/", views.health, name="health"),
]
