from rest_framework.routers import SimpleRouter

from accounts.api.views import OrganizationViewSet

router = SimpleRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
# The token endpoint lives with the tokens: security.api.urls.
urlpatterns = [*router.urls]
