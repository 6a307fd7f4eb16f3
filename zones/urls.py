from django.urls import path

from zones import views

urlpatterns = [
    path("sites/", views.site_list, name="site-list"),
    path("sites/new/", views.site_create, name="site-create"),
    path("sites/<uuid:pk>/", views.site_detail, name="site-detail"),
    path("sites/<uuid:pk>/edit/", views.site_edit, name="site-edit"),
    path("sites/<uuid:site_pk>/zones/new/", views.zone_create, name="zone-create"),
    path("sites/<uuid:site_pk>/conduits/new/", views.conduit_create, name="conduit-create"),
    path("sites/<uuid:site_pk>/assets.csv", views.assets_export, name="assets-export"),
    path("sites/<uuid:site_pk>/assets/import/", views.assets_import, name="assets-import"),
    path("zones/<uuid:pk>/", views.zone_detail, name="zone-detail"),
    path("zones/<uuid:pk>/edit/", views.zone_edit, name="zone-edit"),
    path("zones/<uuid:zone_pk>/assets/new/", views.asset_create, name="asset-create"),
    path("conduits/<uuid:pk>/", views.conduit_detail, name="conduit-detail"),
    path("conduits/<uuid:pk>/edit/", views.conduit_edit, name="conduit-edit"),
    path("assets/<uuid:pk>/", views.asset_detail, name="asset-detail"),
    path("assets/<uuid:pk>/edit/", views.asset_edit, name="asset-edit"),
    path("<str:kind>/<uuid:pk>/delete/", views.object_delete, name="object-delete"),
    path("<str:kind>/<uuid:pk>/history/", views.object_history, name="object-history"),
]
