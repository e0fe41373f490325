from django import forms


class PostForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}))
    publish = forms.BooleanField(required=False, initial=True, help_text="Uncheck to save a draft.")


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
