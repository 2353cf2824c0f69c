"""Signals other code (bench, tests, the toolbar panel) can listen to."""

from django.dispatch import Signal

#: Sent in the request's thread once a Recording is complete; ``recording`` is the Recording.
recording_finished = Signal()
