from django.urls import path

from gridgov.cases import views

app_name = "cases"

urlpatterns = [
    path("categories/", views.categories, name="categories"),
    path("queue/", views.queue, name="queue"),
    path("supervision/", views.supervision, name="supervision"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/act/<slug:verb>/", views.case_act, name="act"),
    path("<str:number>/reveal/", views.reveal, name="reveal"),
    path("<str:number>/photos/<int:photo_id>/original", views.photo_original, name="photo-original"),
    path("<str:number>/photos/<int:photo_id>/public", views.photo_public, name="photo-public"),
]
