"""The demo site with django-debug-toolbar and perfkit's panel, for the toolbar tests only."""

from debug_toolbar.settings import PANELS_DEFAULTS

from perfkit.demo.settings import *  # noqa: F403
from perfkit.demo.settings import INSTALLED_APPS, MIDDLEWARE

DEBUG = True
INSTALLED_APPS = [*INSTALLED_APPS, "debug_toolbar"]
MIDDLEWARE = [MIDDLEWARE[0], "debug_toolbar.middleware.DebugToolbarMiddleware", *MIDDLEWARE[1:]]
ROOT_URLCONF = "tests.urls_toolbar"
DEBUG_TOOLBAR_PANELS = [*PANELS_DEFAULTS, "perfkit.panels.PerfkitPanel"]
