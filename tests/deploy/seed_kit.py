"""Run by the installed portal's Python (tests/deploy/test_kit.py), not by pytest: two branches,
a secretary of one, an evidence file on each branch's submission. Prints what the test needs as
JSON: where the portal was imported from, the secretary's session, each file's download path
and content.
"""

import datetime
import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")
django.setup()

from pathlib import Path  # noqa: E402

import yaml  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

import assessment  # noqa: E402
import partybuild  # noqa: E402
from assessment.services import evidence, frameworks, periods  # noqa: E402
from assessment.services.submissions import entry_indicators  # noqa: E402
from organizations.models import Organization, OrganizationKind  # noqa: E402
from organizations.services import assign_role, ensure_default_kinds  # noqa: E402

ensure_default_kinds()
kinds = {kind.code: kind for kind in OrganizationKind.objects.all()}
group = Organization.objects.create(code="KG", name="集团", name_en="Group", kind=kinds["group"])
units = [
    Organization.objects.create(
        code=code, name=f"{code}支部", name_en=code, kind=kinds["branch"], parent=group
    )
    for code in ("K1", "K2")
]
# The framework the package ships, as an installation starts from.
shipped = Path(assessment.__file__).parent / "data" / "framework.yaml"
framework = frameworks.publish_framework(
    frameworks.load_framework(yaml.safe_load(shipped.read_text()))
)
period = periods.create_period(
    framework=framework,
    kind="year",
    name="2026年度",
    name_en="Year 2026",
    start=datetime.date(2026, 1, 1),
    end=datetime.date(2026, 12, 31),
    deadline=datetime.date(2027, 1, 15),
)
periods.open_period(period)

files = {}
for unit in units:
    secretary = get_user_model().objects.create_user(f"secretary-{unit.code}", password=None)
    assign_role(user=secretary, organization=unit, role="secretary")
    submission = period.submissions.get(organization=unit)
    code = next(iter(entry_indicators(submission))).code
    content = f"%PDF-1.4\n% minutes of {unit.code}\n%%EOF\n".encode()
    upload = SimpleUploadedFile(f"{unit.code}会议.pdf", content, content_type="application/pdf")
    item = evidence.add_evidence(submission, code, upload, acting_user=secretary)
    files[unit.code] = {
        "url": reverse("assessment:evidence_download", args=[item.pk]),
        "content": content.decode(),
        "stored": item.file.name,
    }

client = Client()
client.force_login(get_user_model().objects.get(username="secretary-K1"))
print(  # noqa: T201 (the test reads the JSON)
    json.dumps(
        {
            "package": partybuild.__file__,
            "session": client.cookies["sessionid"].value,
            "own": files["K1"],
            "other": files["K2"],
        }
    )
)
