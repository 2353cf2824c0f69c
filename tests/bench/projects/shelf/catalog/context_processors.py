"""Puts the cache settings in every template, as real projects do for their footers."""

from django.conf import settings


def cache_settings(request):
    default = settings.CACHES["default"]
    return {"cache_timeout": default["TIMEOUT"], "cache_prefix": default["KEY_PREFIX"]}
