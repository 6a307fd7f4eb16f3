"""/api/v1/ routes of assessments, results and evidence, named under the `assessments-api`
namespace so that they never clash with the pages' names (assessment-detail, evidence-download...)."""

from rest_framework.routers import SimpleRouter

from assessments.api.views import AssessmentViewSet, EvidenceViewSet, ResultViewSet

app_name = "assessments-api"

router = SimpleRouter()
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("results", ResultViewSet, basename="result")
router.register("evidence", EvidenceViewSet, basename="evidence")
urlpatterns = router.urls
