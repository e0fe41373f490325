from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from apps.analytics.services import event_record
from apps.blog import selectors, services
from apps.blog.forms import CommentForm, PostForm

POSTS_PER_PAGE = 10


@require_safe
def post_list(request):
    page = Paginator(selectors.post_list(), POSTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "blog/post_list.html", {"page": page})


@require_http_methods(["GET", "HEAD", "POST"])
def post_detail(request, slug):
    post = selectors.post_get(slug=slug)
    form = CommentForm(request.POST or None)
    if request.method == "POST" and request.user.is_authenticated and form.is_valid():
        services.comment_add(post=post, author=request.user, body=form.cleaned_data["body"])
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


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def post_create(request):
    form = PostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        post = services.post_publish(author=request.user, **form.cleaned_data)
        return redirect(post if post.is_published else "dashboard:index")
    return render(request, "blog/post_form.html", {"form": form})
