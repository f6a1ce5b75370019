from django.urls import path

from gridgov.cases.api import views

urlpatterns = [
    path("categories/", views.CategoryList.as_view(), name="category-list"),
    path("request-types/", views.RequestTypeList.as_view(), name="request-type-list"),
    path("", views.CaseListCreate.as_view(), name="case-list"),
    path("<str:number>/", views.CaseDetail.as_view(), name="case-detail"),
    path("<str:number>/timeline/", views.CaseTimeline.as_view(), name="case-timeline"),
    path("<str:number>/reveal/", views.CaseReveal.as_view(), name="case-reveal"),
    *(
        path(f"<str:number>/{verb}/", views.verb_view(verb).as_view(), name=f"case-{verb}")
        for verb in views.VERBS
    ),
]
