from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "apps.blog"
    label = "blog"

    def ready(self):
        # Posts and comments live on default, their authors on users: Django
        # cannot cascade across that line (the relations are DO_NOTHING), so
        # the blog says what deleting an account does, and the core (manydb) does it.
        # Posts are content others link to: they stay, under "[deleted]".
        # Comments are the person's own words: they go with the account.
        import manydb
        from apps.blog.models import Comment, Post
        from apps.users.services import user_ghost_get

        manydb.declare(Post, "author", on_delete=manydb.reassign(to=user_ghost_get))
        manydb.declare(Comment, "author", on_delete=manydb.DELETE)
