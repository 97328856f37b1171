"""The link of a portal account to its directory identity and to the person it is."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Source


class DirectoryAccount(models.Model):
    """A portal account created by a directory sign-in: its identity there and its person.

    `mapped_roles` holds the roles the directory's groups granted (``[role, organization id]``
    pairs), so that a later sign-in revokes exactly those when the groups no longer give them,
    never a role granted in the portal.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="directory_account",
        verbose_name=_("user"),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    external_id = models.CharField(_("directory identity"), max_length=500)
    employee_number = models.CharField(_("employee number"), max_length=40, blank=True)
    person = models.OneToOneField(
        "organizations.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directory_account",
        verbose_name=_("person"),
    )
    mapped_roles = models.JSONField(_("roles from directory groups"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in = models.DateTimeField(_("last directory sign-in"), null=True, blank=True)

    class Meta:
        ordering = ["user"]
        verbose_name = _("directory account")
        verbose_name_plural = _("directory accounts")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="directory_identity"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ← {self.source}:{self.external_id}"
