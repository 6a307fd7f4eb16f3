from django.urls import path
from rest_framework.routers import SimpleRouter

from zones.api.views import AssetViewSet, ConduitViewSet, SiteViewSet, ZoneViewSet

router = SimpleRouter()
router.register("sites", SiteViewSet, basename="site")
router.register("zones", ZoneViewSet, basename="zone")
router.register("conduits", ConduitViewSet, basename="conduit")
router.register("assets", AssetViewSet, basename="asset")
urlpatterns = [
    # The documented address has no trailing slash; the router's (with one) stays for consistency.
    path("sites/<uuid:pk>/diagram.svg", SiteViewSet.as_view({"get": "diagram"}), name="site-diagram-svg"),
    *router.urls,
]
