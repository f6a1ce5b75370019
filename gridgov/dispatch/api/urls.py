from django.urls import path

from gridgov.dispatch.api import views

urlpatterns = [
    path("departments/", views.DepartmentList.as_view(), name="department-list"),
    path("route/", views.RouteSuggestionView.as_view(), name="route-suggestion"),
]
