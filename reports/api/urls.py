"""/api/v1/reports/ routes, under the `reports-api` namespace (the pages use report-detail...)."""

from rest_framework.routers import SimpleRouter

from reports.api.views import ReportJobViewSet

app_name = "reports-api"

router = SimpleRouter()
router.register("reports", ReportJobViewSet, basename="report")
urlpatterns = router.urls
