"""The built-in business measures: revenue and profit, their growth, the regulator's grades."""

from django.db import migrations

BUILT_IN = (
    ("revenue", "主营业务收入", "Main-business revenue", "万元", "10k yuan", "number"),
    ("profit", "利润总额", "Total profit", "万元", "10k yuan", "number"),
    ("revenue_growth", "主营业务收入增长率", "Revenue growth", "%", "%", "number"),
    ("profit_growth", "利润总额增长率", "Profit growth", "%", "%", "number"),
    ("sasac_grade", "经营业绩考核等级", "Operating performance grade", "", "", "grade"),
    (
        "sasac_term_grade",
        "任期经营业绩考核等级",
        "Term operating performance grade",
        "",
        "",
        "grade",
    ),
)


def create(apps, schema_editor):
    measure = apps.get_model("business", "BusinessMeasure")
    for position, (code, name, name_en, unit, unit_en, scale) in enumerate(BUILT_IN):
        measure.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "unit": unit,
                "unit_en": unit_en,
                "scale": scale,
                "built_in": True,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("business", "0001_business_figures")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
