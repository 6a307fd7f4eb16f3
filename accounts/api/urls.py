from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api.views import OrganizationViewSet, TokenView

router = SimpleRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
urlpatterns = [path("auth/token/", TokenView.as_view(), name="api-token"), *router.urls]
