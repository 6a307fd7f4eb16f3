"""The alignment pages (the API is alignment/api/urls.py)."""

from django.urls import path

from alignment import views

urlpatterns = [
    path("assessments/<uuid:pk>/coverage/", views.coverage_page, name="assessment-coverage"),
    path("assessments/<uuid:pk>/coverage/csv/", views.coverage_csv_download, name="assessment-coverage-csv"),
    path("assessments/<uuid:pk>/coverage/xlsx/", views.coverage_xlsx_download, name="assessment-coverage-xlsx"),
    path("organizations/<uuid:pk>/alignment/", views.organization_alignment, name="organization-alignment"),
]
