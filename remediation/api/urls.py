"""/api/v1/ routes of findings, actions and the roadmap, named under `remediation-api` so that they
never clash with the pages' names."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from remediation.api.capability import CapabilityFindingView
from remediation.api.views import ActionViewSet, FindingViewSet, GanttView, RoadmapView

app_name = "remediation-api"

router = SimpleRouter()
router.register("findings", FindingViewSet, basename="finding")
router.register("actions", ActionViewSet, basename="action")
urlpatterns = [
    path("roadmap/", RoadmapView.as_view(), name="roadmap"),
    path("roadmap/gantt.svg", GanttView.as_view(), name="roadmap-gantt"),
    path("assets/<uuid:pk>/capability-finding/", CapabilityFindingView.as_view(), name="asset-capability-finding"),
    *router.urls,
]
