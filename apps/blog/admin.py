from django.contrib import admin

from apps.blog.models import Comment, Post


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    raw_id_fields = ["author"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    # A raw id, not a <select> of every user: the choices would need a query
    # on the users database for each render, and a join is impossible anyway.
    raw_id_fields = ["author"]
    # Not False: with False, the changelist select_related()s every foreign key
    # in list_display, a join to users_user that default cannot answer.
    list_select_related = ()
    inlines = [CommentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("author")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["post", "author", "created_at"]
    list_select_related = ["post"]  # same database; author is fetched per row from users
    raw_id_fields = ["post", "author"]
