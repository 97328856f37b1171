"""The four organization kinds of the seed document; groups may add more."""

from django.db import migrations

KINDS = [
    ("group", "集团党组", "Group party leadership", 0),
    ("committee", "党委", "Party committee", 1),
    ("general_branch", "党总支", "General branch", 2),
    ("branch", "党支部", "Branch", 3),
]


def add_kinds(apps, schema_editor):
    kind_model = apps.get_model("organizations", "OrganizationKind")
    for code, name, name_en, rank in KINDS:
        kind_model.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "rank": rank}
        )


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]
    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
