"""/api/v1/ routes of assessments, results and evidence, named under the `assessments-api`
namespace so that they never clash with the pages' names (assessment-detail, evidence-download...)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from assessments.api.bulk import BulkResultView
from assessments.api.changes import AssessmentChangesView
from assessments.api.compare import AssessmentCompareView
from assessments.api.views import AssessmentViewSet, EvidenceViewSet, ResultViewSet

app_name = "assessments-api"

router = SimpleRouter()
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("results", ResultViewSet, basename="result")
router.register("evidence", EvidenceViewSet, basename="evidence")
urlpatterns = router.urls
urlpatterns.append(
    path(
        "assessments/<uuid:pk>/results/bulk/",
        BulkResultView.as_view({"post": "create"}),
        name="assessment-results-bulk",
    )
)

# Comparing two assessments is a view of its own (decision 0027), not an action of the viewset.
urlpatterns += [path("assessments/<uuid:pk>/compare/", AssessmentCompareView.as_view(), name="assessment-compare")]
urlpatterns += [path("assessments/<uuid:pk>/changes/", AssessmentChangesView.as_view(), name="assessment-changes")]
