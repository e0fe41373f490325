"""Views that exist only for the routing tests."""

from asgiref.sync import sync_to_async
from django.db import router
from django.http import JsonResponse
from django.urls import path

from apps.blog.models import Post
from tests.factories import post_create, user_create


def get_that_writes(request):
    """A GET with a side effect on the primary, as careless code sometimes does."""
    post = post_create(author=user_create(), title="Written during a GET")
    return JsonResponse({"post": post.pk, "read_from": router.db_for_read(Post)})


def where_reads_go(request):
    return JsonResponse({"read_from": router.db_for_read(Post)})


async def async_where_reads_go(request):
    return JsonResponse({"read_from": await sync_to_async(router.db_for_read)(Post)})


urlpatterns = [
    path("get-that-writes/", get_that_writes),
    path("where-reads-go/", where_reads_go),
    path("async-where-reads-go/", async_where_reads_go),
]
