"""The demo site with its static files served by Django, for when there is no nginx."""

from __future__ import annotations

import os

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfkit.demo.settings")

application = StaticFilesHandler(get_wsgi_application())
