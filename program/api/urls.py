"""/api/v1/ routes of the program app, named under the `program-api` namespace so that they never clash
with the pages' names (vulnerability-list...)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from program.api.views import ExerciseViewSet, KpiView, TrainingRecordViewSet, VulnerabilityViewSet

app_name = "program-api"

router = SimpleRouter()
router.register("vulnerabilities", VulnerabilityViewSet, basename="vulnerability")
router.register("trainings", TrainingRecordViewSet, basename="training")
router.register("exercises", ExerciseViewSet, basename="exercise")
urlpatterns = [path("kpis/", KpiView.as_view(), name="kpis"), *router.urls]
