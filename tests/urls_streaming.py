"""The demo's URLs plus two CSV exports that stream, one sync and one async, N+1 per row."""

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse
from django.urls import path

from perfkit.demo.models import Story
from perfkit.demo.urls import urlpatterns as demo_urlpatterns


def export(request):
    def rows():
        yield "title,author\n"
        for story in Story.objects.order_by("id"):
            yield f"{story.title},{story.author.name}\n"  # a query per row, while streaming

    return StreamingHttpResponse(rows(), content_type="text/csv")


async def export_async(request):
    async def rows():
        yield "title,author\n"
        async for story in Story.objects.order_by("id"):
            name = await sync_to_async(lambda story=story: story.author.name)()
            yield f"{story.title},{name}\n"

    return StreamingHttpResponse(rows(), content_type="text/csv")


urlpatterns = [
    path("export.csv", export, name="export"),
    path("export-async.csv", export_async, name="export_async"),
    *demo_urlpatterns,
]
