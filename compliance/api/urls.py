from django.urls import path
from rest_framework.routers import SimpleRouter

from compliance.api.organization import LevelOverrideViewSet, LicensedTextView
from compliance.api.views import CatalogueOscalView, RequirementViewSet

router = SimpleRouter()
router.register("catalogue/requirements", RequirementViewSet, basename="requirement")
router.register("catalogue/overrides", LevelOverrideViewSet, basename="level-override")
urlpatterns = [
    path("catalogue/oscal/", CatalogueOscalView.as_view(), name="catalogue-oscal"),
    path("catalogue/licensed-text/", LicensedTextView.as_view(), name="licensed-text"),
    *router.urls,
]
