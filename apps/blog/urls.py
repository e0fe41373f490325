from django.urls import path

from apps.blog import views

app_name = "blog"
urlpatterns = [
    path("", views.post_list, name="home"),
    path("blog/", views.post_list, name="post_list"),
    path("blog/new/", views.post_create, name="post_create"),
    path("blog/<slug:slug>/", views.post_detail, name="post_detail"),
]
