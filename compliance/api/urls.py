from django.urls import path
from rest_framework.routers import SimpleRouter

from compliance.api.views import CatalogueOscalView, RequirementViewSet

router = SimpleRouter()
router.register("catalogue/requirements", RequirementViewSet, basename="requirement")
urlpatterns = [
    path("catalogue/oscal/", CatalogueOscalView.as_view(), name="catalogue-oscal"),
    *router.urls,
]
