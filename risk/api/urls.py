"""/api/v1/ routes of risk assessment, named under the `risk-api` namespace so that they never clash with the
pages' names."""

from rest_framework.routers import SimpleRouter

from risk.api.views import RiskAssessmentViewSet, RiskMatrixViewSet, ThreatScenarioViewSet, ThreatSourceViewSet

app_name = "risk-api"

router = SimpleRouter()
router.register("risk-matrices", RiskMatrixViewSet, basename="risk-matrix")
router.register("threat-sources", ThreatSourceViewSet, basename="threat-source")
router.register("risk-assessments", RiskAssessmentViewSet, basename="risk-assessment")
router.register("threat-scenarios", ThreatScenarioViewSet, basename="threat-scenario")
urlpatterns = router.urls
