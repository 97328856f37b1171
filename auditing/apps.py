from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditingConfig(AppConfig):
    """The auditors' pages over the audit trail: search, one entry, exports, the API.

    The trail itself (its models, the chain, recording and verification) is the `audit` app, a
    leaf every app writes to; this app reads it and sits above the domain apps, whose objects its
    pages name.
    """

    name = "auditing"
    verbose_name = _("Audit")
