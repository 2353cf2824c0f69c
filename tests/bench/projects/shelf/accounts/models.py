"""Members (the custom user model) and the profile a signal makes for each."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver


class Member(AbstractUser):
    email = models.EmailField(unique=True)


class Profile(models.Model):
    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="profile")
    bio = models.TextField(blank=True)


@receiver(post_save, sender=Member)
def make_profile(sender, instance, created, **kwargs):
    if created:
        Profile.objects.create(member=instance)
