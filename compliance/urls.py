from django.urls import path

from compliance import views

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("licensed/<uuid:org_pk>/", views.licensed_text, name="licensed-text"),
    path("licensed/<uuid:org_pk>/delete/", views.licensed_text_delete, name="licensed-text-delete"),
]
