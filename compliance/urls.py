from django.urls import path

from compliance import views

urlpatterns = [path("", views.catalogue, name="catalogue")]
