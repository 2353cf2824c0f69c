"""The API's router: /api/books/, /api/books/<pk>/, /api/books/<pk>/similar/, /api/authors/."""

from rest_framework.routers import DefaultRouter

from api.views import AuthorViewSet, BookViewSet

router = DefaultRouter()
router.register("books", BookViewSet)
router.register("authors", AuthorViewSet)
urlpatterns = router.urls
