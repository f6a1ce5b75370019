from django.urls import path

from gridgov.cases.api import views

urlpatterns = [
    path("categories/", views.CategoryList.as_view(), name="category-list"),
    path("request-types/", views.RequestTypeList.as_view(), name="request-type-list"),
]
