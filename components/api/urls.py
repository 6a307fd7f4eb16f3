"""/api/v1/ routes of components."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from components.api import questionnaire_token as token_api
from components.api.assessments import ComponentAssessmentViewSet, ComponentEvidenceViewSet, ComponentResultViewSet
from components.api.products import CertificateViewSet, ProductViewSet
from components.api.questionnaires import AssessmentInvitationsView, InvitationViewSet, SupplierAnswerViewSet

app_name = "components-api"

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("component-assessments", ComponentAssessmentViewSet, basename="component-assessment")
router.register("component-results", ComponentResultViewSet, basename="component-result")
router.register("component-evidence", ComponentEvidenceViewSet, basename="component-evidence")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("supplier-answers", SupplierAnswerViewSet, basename="supplier-answer")

urlpatterns: list[URLPattern | URLResolver] = [
    # Supplier questionnaires: the consultant invites; the token routes are the supplier's (decision 0036).
    path(
        "component-assessments/<uuid:pk>/invitations/",
        AssessmentInvitationsView.as_view(),
        name="assessment-invitations",
    ),
    path("questionnaires/<str:token>/", token_api.QuestionnaireView.as_view(), name="questionnaire"),
    path(
        "questionnaires/<str:token>/answers/<uuid:result_id>/",
        token_api.QuestionnaireAnswerView.as_view(),
        name="questionnaire-answer",
    ),
    path(
        "questionnaires/<str:token>/submit/", token_api.QuestionnaireSubmitView.as_view(), name="questionnaire-submit"
    ),
    *router.urls,
]
