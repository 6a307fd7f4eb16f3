"""/api/v1/ routes of alignment, under the `alignment-api` namespace."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from alignment.api.views import AssessmentCoverageView, FrameworkViewSet

app_name = "alignment-api"

router = SimpleRouter()
router.register("frameworks", FrameworkViewSet, basename="framework")
urlpatterns = [
    *router.urls,
    # A view of its own beside the assessments API (like compare, decision 0027): it reads alignment's data.
    path("assessments/<uuid:pk>/coverage/", AssessmentCoverageView.as_view(), name="assessment-coverage"),
]
