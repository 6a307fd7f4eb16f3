"""The risk assessment pages (the API is risk/api/urls.py)."""

from django.urls import path

from risk.views import pages, register, yardstick

urlpatterns = [
    path("risk/", pages.risk_list, name="risk-list"),
    path("sites/<uuid:site_pk>/risk/new/", pages.risk_create, name="risk-create"),
    path("risk/<uuid:pk>/", pages.risk_detail, name="risk-detail"),
    path("risk/<uuid:pk>/edit/", pages.risk_edit, name="risk-edit"),
    path("risk/<uuid:pk>/status/", pages.risk_status, name="risk-status"),
    path("risk/<uuid:pk>/heatmap/", pages.risk_heatmap, name="risk-heatmap"),
    path("risk/<uuid:pk>/proposal/", pages.risk_proposal, name="risk-proposal"),
    path("risk/<uuid:pk>/register/", register.register, name="risk-register"),
    path("risk/<uuid:pk>/register/new/", register.scenario_new, name="risk-scenario-new"),
    path("risk/scenarios/<uuid:pk>/", register.scenario_row, name="risk-scenario-row"),
    path("risk/scenarios/<uuid:pk>/edit/", register.scenario_edit, name="risk-scenario-edit"),
    path("risk/scenarios/<uuid:pk>/delete/", register.scenario_delete, name="risk-scenario-delete"),
    path("risk/scenarios/<uuid:pk>/create-action/", register.scenario_create_action, name="risk-scenario-action"),
    path("risk/organizations/<uuid:org_pk>/matrix/", yardstick.matrix_edit, name="risk-matrix"),
    path("risk/organizations/<uuid:org_pk>/threat-sources/", yardstick.source_list, name="risk-sources"),
    path("risk/organizations/<uuid:org_pk>/threat-sources/new/", yardstick.source_create, name="risk-source-new"),
    path("risk/threat-sources/<uuid:pk>/edit/", yardstick.source_edit, name="risk-source-edit"),
    path("risk/threat-sources/<uuid:pk>/delete/", yardstick.source_delete, name="risk-source-delete"),
]
