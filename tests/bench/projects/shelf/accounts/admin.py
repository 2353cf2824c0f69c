"""The member admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import Member, Profile

admin.site.register(Member, UserAdmin)
admin.site.register(Profile)
