from django.urls import path

from gridgov.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox_page, name="inbox"),
    path("read-all/", views.read_all, name="read-all"),
    path("<int:pk>/open/", views.open_notification, name="open"),
]
