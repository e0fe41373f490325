from django import forms

from apps.blog.models import COMMENT_BODY_MAX_LENGTH, POST_BODY_MAX_LENGTH


class PostForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=POST_BODY_MAX_LENGTH,
        help_text=f"Up to {POST_BODY_MAX_LENGTH:,} characters.",
    )
    publish = forms.BooleanField(required=False, initial=True, help_text="Uncheck to save a draft.")


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment", widget=forms.Textarea(attrs={"rows": 4}), max_length=COMMENT_BODY_MAX_LENGTH
    )
