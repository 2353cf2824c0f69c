import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="author",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AddField(
            model_name="club",
            name="patrons",
            field=models.ManyToManyField(blank=True, related_name="clubs", to="catalog.author"),
        ),
    ]
