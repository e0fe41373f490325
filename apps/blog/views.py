from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.analytics.services import event_record
from apps.blog import selectors, services
from apps.blog.forms import CommentForm, PostForm

POSTS_PER_PAGE = 10


def post_list(request):
    page = Paginator(selectors.post_list(), POSTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "blog/post_list.html", {"page": page})


def post_detail(request, slug):
    post = selectors.post_get_visible(slug=slug, user=request.user)
    if not post.is_published:
        # The author's preview: no comments, no page view counted.
        return render(request, "blog/post_detail.html", {"post": post, "comments": [], "form": None})
    form = CommentForm(request.POST or None)
    if request.method == "POST" and request.user.is_authenticated and form.is_valid():
        services.comment_add(
            post=post,
            author=request.user,
            body=form.cleaned_data["body"],
            session_key=request.session.session_key or "",
        )
        messages.success(request, "Your comment is published.")
        return redirect(post)
    event_record(
        event_type="page_view",
        user_id=request.user.pk,
        session_key=request.session.session_key or "",
        path=request.path,
        data={"post_id": post.pk},
    )
    context = {"post": post, "comments": selectors.post_comments(post=post), "form": form}
    return render(request, "blog/post_detail.html", context)


@login_required
def post_create(request):
    form = PostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_publish(author=request.user, **form.cleaned_data)
        except services.SlugTaken:
            form.add_error("title", "Many posts with this title are being published right now. Please try again.")
        else:
            messages.success(request, _saved_message(post, "published", "saved as a draft"))
            return redirect(post)
    return render(request, "blog/post_form.html", {"form": form, "post": None})


@login_required
def post_mine(request):
    return render(request, "blog/post_mine.html", {"posts": selectors.post_list_of_author(author=request.user)})


@login_required
def post_update(request, slug):
    post = selectors.post_get_for_author(slug=slug, author=request.user)
    initial = {"title": post.title, "body": post.body, "publish": post.is_published}
    form = PostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        post = services.post_update(post=post, **form.cleaned_data)
        messages.success(request, _saved_message(post, "updated", "saved as a draft"))
        return redirect(post)
    return render(request, "blog/post_form.html", {"form": form, "post": post})


@login_required
@require_http_methods(["GET", "POST"])
def post_delete(request, slug):
    post = selectors.post_get_for_author(slug=slug, author=request.user)
    if request.method == "POST":
        services.post_delete(post=post)
        messages.success(request, f"“{post.title}” is deleted.")
        return redirect("blog:post_mine")
    return render(request, "blog/post_confirm_delete.html", {"post": post})


def _saved_message(post, published: str, draft: str) -> str:
    if post.is_published:
        return f"“{post.title}” is {published}."
    return f"“{post.title}” is {draft}: only you can see it, under My posts."
