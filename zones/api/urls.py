from django.urls import re_path
from rest_framework.routers import SimpleRouter

from zones.api.views import AssetViewSet, ConduitViewSet, SiteViewSet, ZoneViewSet

router = SimpleRouter()
router.register("sites", SiteViewSet, basename="site")
router.register("zones", ZoneViewSet, basename="zone")
router.register("conduits", ConduitViewSet, basename="conduit")
router.register("assets", AssetViewSet, basename="asset")
urlpatterns = [
    # The documented address has no trailing slash; the router's (with one) stays for consistency. The id
    # matches as the router's does, so that a malformed one is the API's 404, not a redirect to the other.
    re_path(r"^sites/(?P<pk>[^/.]+)/diagram\.svg$", SiteViewSet.as_view({"get": "diagram"}), name="site-diagram-svg"),
    *router.urls,
]
