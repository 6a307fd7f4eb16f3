from django.urls import path

from reports import views

urlpatterns = [
    path("reports/", views.report_list, name="report-list"),
    path("reports/request/", views.report_request, name="report-request"),
    path("reports/<uuid:pk>/", views.report_detail, name="report-detail"),
    path("reports/<uuid:pk>/status/", views.report_status, name="report-status"),
    path("reports/<uuid:pk>/retry/", views.report_retry, name="report-retry"),
    path("reports/<uuid:pk>/download/", views.report_download, name="report-download"),
]
