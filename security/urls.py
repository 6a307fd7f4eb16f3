from django.urls import path

from security import views

urlpatterns = [
    path("profile/tokens/", views.token_create, name="token-create"),
    path("profile/tokens/<uuid:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("organizations/<uuid:pk>/security-log/", views.security_log, name="security-log"),
]
