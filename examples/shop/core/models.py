"""Abstract bases shared by every app, and generic comments."""
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class TimeStampedModel(models.Model):
    """Adds creation and modification times."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
        get_latest_by = "created_at"


class OwnedModel(models.Model):
    """Something that belongs to a user."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="%(app_label)s_%(class)s_owned",
        null=True,
        blank=True,
    )

    class Meta:
        abstract = True


class Comment(TimeStampedModel):
    """A free-text remark attached to any object."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="comments"
    )
    body = models.TextField()

    class Meta(TimeStampedModel.Meta):
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = "comment"

    def __str__(self) -> str:
        return self.body[:40]
