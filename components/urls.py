"""The components pages (the API is components/api/urls.py)."""

from django.urls import URLPattern, path

from components.views import assessments, procurement, products, questionnaire, result_panels

urlpatterns: list[URLPattern] = [
    # The product library and certificates (decision 0034).
    path("products/", products.product_list, name="product-list"),
    path("products/new/", products.product_create, name="product-create"),
    path("products/<uuid:pk>/", products.product_detail, name="product-detail"),
    path("products/<uuid:pk>/edit/", products.product_edit, name="product-edit"),
    path("products/<uuid:pk>/delete/", products.product_remove, name="product-delete"),
    path("products/<uuid:pk>/certificates/new/", products.certificate_create, name="certificate-create"),
    path("certificates/<uuid:pk>/download/", products.certificate_download, name="certificate-download"),
    path("certificates/<uuid:pk>/delete/", products.certificate_remove, name="certificate-delete"),
    # A zone's procurement requirements (the zone page's "Procurement requirements" section).
    path("zones/<uuid:pk>/procurement/report/", procurement.procurement_report, name="zone-procurement-report"),
    path(
        "zones/<uuid:pk>/procurement.csv", procurement.procurement_download, {"fmt": "csv"}, name="zone-procurement-csv"
    ),
    path(
        "zones/<uuid:pk>/procurement.xlsx",
        procurement.procurement_download,
        {"fmt": "xlsx"},
        name="zone-procurement-xlsx",
    ),
    # Supplier questionnaires: the supplier's page behind the link, and the consultant's review (decision 0036).
    path("q/<str:token>/", questionnaire.questionnaire_page, name="questionnaire-page"),
    path(
        "component-assessments/<uuid:pk>/questionnaires/",
        questionnaire.questionnaire_review,
        name="component-questionnaires",
    ),
    path("invitations/<uuid:pk>/revoke/", questionnaire.invitation_revoke, name="invitation-revoke"),
    path("supplier-answers/<uuid:pk>/accept/", questionnaire.answer_accept, name="supplier-answer-accept"),
    path("supplier-answers/<uuid:pk>/reject/", questionnaire.answer_reject, name="supplier-answer-reject"),
    path("supplier-answers/<uuid:pk>/file/", questionnaire.answer_file, name="supplier-answer-file"),
]

# Component assessments (decision 0035): the page with its workspace, applying SL-C, the result panels.
urlpatterns += [
    path(
        "products/<uuid:product_pk>/assessments/new/",
        assessments.component_assessment_create_page,
        name="component-assessment-create",
    ),
    path(
        "component-assessments/<uuid:pk>/",
        assessments.component_assessment_detail,
        name="component-assessment-detail",
    ),
    path(
        "component-assessments/<uuid:pk>/summary/",
        assessments.component_assessment_summary,
        name="component-assessment-summary",
    ),
    path(
        "component-assessments/<uuid:pk>/apply/",
        assessments.component_assessment_apply_page,
        name="component-assessment-apply",
    ),
    path("component-results/<uuid:pk>/history/", result_panels.result_history, name="component-result-history"),
    path("component-results/<uuid:pk>/comments/", result_panels.result_comments, name="component-result-comments"),
    path("component-results/<uuid:pk>/evidence/", result_panels.result_evidence, name="component-result-evidence"),
    path("component-evidence/<uuid:pk>/download/", result_panels.evidence_download, name="component-evidence-download"),
]
