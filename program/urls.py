"""Pages of the security program: KPI dashboards and the data behind them."""

from django.urls import path

from program import views

urlpatterns = [
    path("kpis/", views.kpi_index, name="kpi-index"),
    path("organizations/<uuid:pk>/kpis/", views.organization_dashboard, name="kpi-organization"),
    path("sites/<uuid:pk>/kpis/", views.site_dashboard, name="kpi-site"),
    path("sites/<uuid:site_pk>/vulnerabilities/", views.vulnerability_list, name="vulnerability-list"),
    path("sites/<uuid:site_pk>/vulnerabilities/new/", views.vulnerability_create, name="vulnerability-create"),
    path("sites/<uuid:site_pk>/vulnerabilities/import/", views.vulnerability_import, name="vulnerability-import"),
    path("sites/<uuid:site_pk>/vulnerabilities.csv", views.vulnerability_export, name="vulnerability-export"),
    path("vulnerabilities/<uuid:pk>/edit/", views.vulnerability_edit, name="vulnerability-edit"),
    path("sites/<uuid:site_pk>/training/", views.training_list, name="training-list"),
    path("sites/<uuid:site_pk>/training/new/", views.training_create, name="training-create"),
    path("training/<uuid:pk>/edit/", views.training_edit, name="training-edit"),
    path("sites/<uuid:site_pk>/exercises/", views.exercise_list, name="exercise-list"),
    path("sites/<uuid:site_pk>/exercises/new/", views.exercise_create, name="exercise-create"),
    path("exercises/<uuid:pk>/edit/", views.exercise_edit, name="exercise-edit"),
    path("program/<str:kind>/<uuid:pk>/delete/", views.record_delete, name="program-record-delete"),
]
