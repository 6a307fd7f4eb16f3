"""Pages of remediation: findings, actions, suggestions, the verify flow and the roadmap."""

from django.urls import path

from remediation.views import actions, capability, findings, roadmap, verify

urlpatterns = [
    path("roadmap/", roadmap.roadmap, name="roadmap"),
    path("roadmap/suggestions/", actions.suggestion_list, name="suggestion-list"),
    path("roadmap/suggestions/decide/", actions.suggestion_decide, name="suggestion-decide"),
    path("findings/", findings.finding_list, name="finding-list"),
    path("findings/generate/", findings.findings_generate, name="findings-generate"),
    path("sites/<uuid:site_pk>/findings/new/", findings.finding_create, name="finding-create"),
    path("findings/<uuid:pk>/", findings.finding_detail, name="finding-detail"),
    path("assets/<uuid:pk>/capability-finding/", capability.capability_finding, name="asset-capability-finding"),
    path("findings/<uuid:pk>/edit/", findings.finding_edit, name="finding-edit"),
    path("actions/", actions.action_list, name="action-list"),
    path("sites/<uuid:site_pk>/actions/new/", actions.action_create, name="action-create"),
    path("actions/<uuid:pk>/", actions.action_detail, name="action-detail"),
    path("actions/<uuid:pk>/edit/", actions.action_edit, name="action-edit"),
    path("actions/<uuid:pk>/status/", actions.action_status, name="action-status"),
    path("actions/<uuid:pk>/verify/", verify.action_verify, name="action-verify"),
    path("actions/<uuid:pk>/verify/results/<uuid:result_pk>/", verify.verify_result, name="action-verify-result"),
]
