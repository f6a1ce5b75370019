from django.urls import path

from gridgov.alerts.api import views

urlpatterns = [
    path("", views.AlertList.as_view(), name="alert-list"),
    path("<int:pk>/", views.AlertDetail.as_view(), name="alert-detail"),
    *(
        path(f"<int:pk>/{verb}/", views.verb_view(verb).as_view(), name=f"alert-{verb}")
        for verb in views.VERBS
    ),
]
