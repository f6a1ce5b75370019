from django.urls import path

from gridgov.cases import views

app_name = "cases"

urlpatterns = [
    path("categories/", views.categories, name="categories"),
]
