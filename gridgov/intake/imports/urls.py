from django.urls import URLPattern, URLResolver, path

from gridgov.intake.imports import views

app_name = "imports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.upload, name="upload"),
    path("<str:token>/", views.mapping, name="mapping"),
    path("<str:token>/result/", views.result, name="result"),
    path("<str:token>/errors.csv", views.errors_download, {"kind": "csv"}, name="errors-csv"),
    path("<str:token>/errors.xlsx", views.errors_download, {"kind": "xlsx"}, name="errors-xlsx"),
]
