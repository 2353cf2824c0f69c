"""The catalogue's pages."""

from django.urls import path

from catalog import views

urlpatterns = [
    path("books/", views.book_list, name="book_list"),
    path("books/<int:pk>/", views.book_detail, name="book_detail"),
    path("tags/", views.tag_cloud, name="tag_cloud"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag_detail"),
    path("on-loan/", views.on_loan, name="on_loan"),
    path("search/", views.search, name="search"),
    path("my/clubs/", views.my_clubs, name="my_clubs"),
    path("authors/", views.author_list, name="author_list"),
    path("genres/", views.genres, name="genres"),
    path("my/loans/", views.my_loans, name="my_loans"),
    path("stats/", views.stats, name="stats"),
    path("desk/loans/", views.loan_desk, name="loan_desk"),
    path("authors/index/", views.author_index, name="author_index"),
    path("clubs/", views.club_list, name="club_list"),
    path("comments/", views.comment_feed, name="comment_feed"),
    path("members/", views.member_bios, name="member_bios"),
    path("go/", views.go, name="go"),
    path("weather/", views.weather, name="weather"),
    path("covers/", views.covers, name="covers"),
    path("yearly/", views.yearly_report, name="yearly_report"),
    path("reviews/newest/", views.newest_reviews, name="newest_reviews"),
    path("reviews/reader/", views.reader_reviews, name="reader_reviews"),
    path("ratings/newest/", views.newest_ratings, name="newest_ratings"),
    path("ratings/reader/", views.reader_ratings, name="reader_ratings"),
]
