"""URLs of the views that call the local API of tests.outbound_api."""

from tests.outbound_api import urlpatterns

__all__ = ["urlpatterns"]
