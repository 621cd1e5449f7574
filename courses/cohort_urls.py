from django.urls import path

from . import cohort_views

app_name = "cohort_grid"

urlpatterns = [
    path("<int:pk>/grid/", cohort_views.cohort_grid, name="show"),
    path("<int:pk>/grid.xlsx", cohort_views.cohort_grid_export, name="export"),
]
