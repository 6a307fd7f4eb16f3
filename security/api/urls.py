from django.urls import path
from rest_framework.routers import SimpleRouter

from security.api.views import ApiTokenViewSet, TokenView

router = SimpleRouter()
router.register("tokens", ApiTokenViewSet, basename="apitoken")
urlpatterns = [path("auth/token/", TokenView.as_view(), name="api-token"), *router.urls]
