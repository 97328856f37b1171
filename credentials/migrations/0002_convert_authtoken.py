"""Convert DRF's authtoken rows (plain 40-hex keys) into hashed tokens, then delete them.

Existing integrations keep working: a converted token authenticates with the same key until
API_TOKEN_DAYS after this migration. The plain keys leave the database. The table is read with
SQL because `rest_framework.authtoken` is no longer installed; a database that never had it
(a new installation) has nothing to convert.
"""

import hashlib
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

TABLE = "authtoken_token"


def convert(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if TABLE not in connection.introspection.table_names():
        return
    api_token = apps.get_model("credentials", "ApiToken")
    now = timezone.now()
    expires = now + timedelta(days=settings.API_TOKEN_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "key", "user_id", "created" FROM "{TABLE}"')  # noqa: S608
        rows = cursor.fetchall()
        api_token.objects.bulk_create(
            api_token(
                user_id=user_id,
                name="API (before expiring tokens)",
                prefix=key[:8],
                digest=hashlib.sha256(key.encode()).hexdigest(),
                created=min(_aware(created) or now, now),
                expires=expires,
            )
            for key, user_id, created in rows
        )
        cursor.execute(f'DELETE FROM "{TABLE}"')  # noqa: S608


def _aware(value: datetime | str | None) -> datetime | None:
    """SQLite hands back a naive UTC datetime (or text); PostgreSQL an aware one."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


class Migration(migrations.Migration):
    dependencies = [("credentials", "0001_initial")]

    operations = [migrations.RunPython(convert, migrations.RunPython.noop)]
