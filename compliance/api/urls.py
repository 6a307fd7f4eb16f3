from rest_framework.routers import SimpleRouter

from compliance.api.views import RequirementViewSet

router = SimpleRouter()
router.register("catalogue/requirements", RequirementViewSet, basename="requirement")
urlpatterns = router.urls
