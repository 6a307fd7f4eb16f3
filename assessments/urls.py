from django.urls import path

from assessments.views import compare, evidence, pages, workspace

urlpatterns = [
    path("assessments/", pages.assessment_list, name="assessment-list"),
    path("sites/<uuid:site_pk>/assessments/new/", pages.assessment_create, name="assessment-create"),
    path("assessments/<uuid:pk>/", pages.assessment_detail, name="assessment-detail"),
    path("assessments/<uuid:pk>/heatmap/", pages.assessment_heatmap, name="assessment-heatmap"),
    path("assessments/<uuid:pk>/edit/", pages.assessment_edit, name="assessment-edit"),
    path("assessments/<uuid:pk>/status/", pages.assessment_status, name="assessment-status"),
    path("assessments/<uuid:pk>/sign-off/", pages.assessment_sign_off, name="assessment-sign-off"),
    path("assessments/<uuid:pk>/reopen/", pages.assessment_reopen, name="assessment-reopen"),
    path("assessments/<uuid:pk>/history/", pages.assessment_history, name="assessment-history"),
    path("assessments/<uuid:pk>/compare/", compare.assessment_compare, name="assessment-compare"),
    path("assessments/<uuid:pk>/resync/", pages.assessment_resync, name="assessment-resync"),
    path("assessments/<uuid:pk>/workspace/", workspace.workspace, name="assessment-workspace"),
    path("assessments/<uuid:pk>/workspace/targets/", workspace.workspace_nav, name="assessment-targets"),
    path("assessments/<uuid:pk>/evidence/", evidence.evidence_list, name="assessment-evidence"),
    path("results/<uuid:pk>/history/", workspace.result_history, name="result-history"),
    path("results/<uuid:pk>/comments/", workspace.result_comments, name="result-comments"),
    path("results/<uuid:pk>/evidence/", evidence.result_evidence, name="result-evidence"),
    path("evidence/<uuid:pk>/download/", evidence.evidence_download, name="evidence-download"),
]
