"""The API's router: /api/books/, /api/books/<pk>/, /api/books/<pk>/similar/, /api/authors/,
/api/catalogue/."""

from rest_framework.routers import DefaultRouter

from api.views import AuthorViewSet, BookViewSet, CatalogueViewSet

router = DefaultRouter()
router.register("books", BookViewSet)
router.register("authors", AuthorViewSet)
router.register("catalogue", CatalogueViewSet, basename="catalogue")
urlpatterns = router.urls
