"""Account pages: the user's own API token (create, shown once; revoke) and the
lockout page django-axes answers after too many failed logins."""

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

NEW_KEY = "accounts.new_api_token"  # session key: the new token, shown on the next page view only


@never_cache
@login_required
def api_token(request):
    return render(
        request,
        "accounts/api_token.html",
        {"token": Token.objects.filter(user=request.user).first(), "new_key": request.session.pop(NEW_KEY, None)},
    )


@require_POST
@login_required
def create_api_token(request):
    """A new token replaces the old one, which stops working at once."""
    Token.objects.filter(user=request.user).delete()
    request.session[NEW_KEY] = Token.objects.create(user=request.user).key
    return redirect("api-token")


@require_POST
@login_required
def revoke_api_token(request):
    if Token.objects.filter(user=request.user).delete()[0]:
        messages.success(request, _("Your API token was revoked; scripts using it are refused from now on."))
    return redirect("api-token")


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a translated page saying how long the lock lasts (429)."""
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)
