"""The catalogue admin."""

from django.contrib import admin

from catalog.models import Author, Book, Club, Loan, Shelf

admin.site.register([Author, Book, Club, Loan, Shelf])
