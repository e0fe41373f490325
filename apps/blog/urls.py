from django.urls import path

from apps.blog import views

# Fixed words under blog/ (new, mine) can never be a post's slug:
# apps.blog.slugs resolves each candidate against these patterns.
app_name = "blog"
urlpatterns = [
    path("", views.post_list, name="home"),
    path("blog/", views.post_list, name="post_list"),
    path("blog/new/", views.post_create, name="post_create"),
    path("blog/mine/", views.post_mine, name="post_mine"),
    path("blog/<slug:slug>/", views.post_detail, name="post_detail"),
    path("blog/<slug:slug>/edit/", views.post_update, name="post_update"),
    path("blog/<slug:slug>/delete/", views.post_delete, name="post_delete"),
]
