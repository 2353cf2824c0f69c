"""Catalogue views: N+1 lists (one behind a page cache, one per tag, one per status, one per
member, one per search result), a cached tag cloud, a fixed loop of lookups, per-user loans,
lists that eager-load more than they show (and some that show all they load) and some odd
pages."""

import time
import urllib.request

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import cache_page
from taggit.models import Tag

from catalog.models import Author, Book, Club, Comment, LegacyStat, Loan, Membership, Rating, Review

#: The genres the sidebar shows, looked up one by one: the same lookups at every size.
GENRES = ("fiction", "poetry", "history", "science", "travel", "children")


def book_list(request):
    # N+1: every row reads its author and its tags.
    return render(request, "catalog/book_list.html", {"books": Book.objects.order_by("id")})


def book_detail(request, pk):
    book = get_object_or_404(Book, pk=pk)
    return render(request, "catalog/book_detail.html", {"book": book})


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    # N+1 only with many books to a tag: each book's author, read in the template.
    books = Book.objects.filter(tags__slug=slug).order_by("id")
    return render(request, "catalog/tag_detail.html", {"tag": tag, "books": books})


def search(request):
    # N+1 only with a search term: each matching book's author, read in the template.
    words = request.GET.get("q", "").strip()
    books = Book.objects.filter(title__icontains=words).order_by("id") if words else []
    return render(request, "catalog/on_loan.html", {"books": books})


def on_loan(request):
    # N+1 only when some books are on loan: each book's author, read in the template.
    books = Book.objects.filter(status=Book.ON_LOAN).order_by("id")
    return render(request, "catalog/on_loan.html", {"books": books})


@cache_page(60)
def tag_cloud(request):
    return render(request, "catalog/tags.html", {"tags": Tag.objects.order_by("name")})


@cache_page(60)
def author_list(request):
    # Page-cached: only a request on an empty cache counts each author's books, per row.
    return render(request, "catalog/authors.html", {"authors": Author.objects.order_by("id")})


def genres(request):
    shown = []
    for name in GENRES:
        if Tag.objects.filter(name=name).exists():  # one lookup per genre, never per row
            shown.append(name)
    return render(request, "catalog/tags.html", {"tags": shown})


@login_required
def my_loans(request):
    loans = request.user.loans.select_related("book").order_by("id")
    return render(request, "catalog/loans.html", {"loans": loans})


@login_required
def my_clubs(request):
    # N+1 only for a member of many clubs: each membership's club, read in the template.
    memberships = Membership.objects.filter(member=request.user).order_by("id")
    return render(request, "catalog/clubs.html", {"memberships": memberships})


def loan_desk(request):
    # Over-fetches: the template shows each loan's book, never its member nor the book's author.
    loans = Loan.objects.select_related("book__author", "member").order_by("id")
    return render(request, "catalog/loan_desk.html", {"loans": loans})


def author_index(request):
    # Over-fetches: every author's books, and the newest of them, are loaded and never listed.
    newest = Prefetch("books", queryset=Book.objects.order_by("-id"), to_attr="newest_books")
    authors = Author.objects.prefetch_related("books", newest).order_by("id")
    return render(request, "catalog/author_index.html", {"authors": authors})


def club_list(request):
    # Reads all it loads: each club's patrons, through the many-to-many.
    clubs = Club.objects.prefetch_related("patrons").order_by("id")
    return render(request, "catalog/club_list.html", {"clubs": clubs})


def comment_feed(request):
    # Reads all it loads: each comment's target, through the generic foreign key.
    comments = Comment.objects.prefetch_related("target").order_by("id")
    return render(request, "catalog/comment_feed.html", {"comments": comments})


def member_bios(request):
    # Reads all it loads: each member's profile, the reverse side of a one-to-one.
    members = get_user_model().objects.select_related("profile").order_by("id")
    return render(request, "catalog/member_bios.html", {"members": members})


def stats(request):
    # The table belongs to another system and does not exist here: every request fails.
    total = sum(stat.hits for stat in LegacyStat.objects.all())
    return render(request, "catalog/stats.html", {"total": total})


def go(request):
    return redirect("book_list")


def weather(request):
    try:
        with urllib.request.urlopen("http://api.weather.example/v1/today", timeout=2) as answer:
            forecast = answer.read().decode()
    except OSError:
        forecast = "unavailable"
    return render(request, "catalog/weather.html", {"forecast": forecast})


def covers(request):
    # N+1 API calls: one call to the cover service per book (refused under bench).
    found = {}
    for book in Book.objects.order_by("id"):
        try:
            url = f"http://covers.example/api/books/{book.pk}/cover?size=small"
            with urllib.request.urlopen(url, timeout=2) as answer:  # per book
                found[book.pk] = answer.read().decode()
        except OSError:
            found[book.pk] = None
    return JsonResponse({"covers": found})


def yearly_report(request):
    # Never finishes (as a report over a table that has grown too big): bench must stop it.
    while True:
        time.sleep(0.05)


def newest_reviews(request):
    # One query: a book's ten newest reviews, sorted with no index for that order.
    book = request.GET.get("book", "1")
    reviews = Review.objects.filter(book=book).order_by("-created")[:10]
    return JsonResponse({"reviews": [r.stars for r in reviews]})


def reader_reviews(request):
    # One query: how many reviews a reader wrote, counted by reading every review.
    return JsonResponse({"count": Review.objects.filter(reader=request.GET.get("r", "")).count()})


def newest_ratings(request):
    book = request.GET.get("book", "1")
    ratings = Rating.objects.filter(book=book).order_by("-created")[:10]
    return JsonResponse({"ratings": [r.stars for r in ratings]})


def reader_ratings(request):
    return JsonResponse({"count": Rating.objects.filter(reader=request.GET.get("r", "")).count()})
