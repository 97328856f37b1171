"""What the secretaries' reports tests share: files to attach, a reviewer of committee B, and a
report filled, submitted (and rated) through the services."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from organizations.services import assign_role
from standards.models import SecretaryReport
from standards.services import reports as services
from tests.builders import pdf
from tests.factories import UserFactory

# (17 + 2 × 0.8 + 0.5) ÷ 20 = 0.955: "good"
VOTES = {"good": 17, "fairly_good": 2, "average": 1, "poor": 0}


def docx(name: str = "report.docx") -> SimpleUploadedFile:
    """A tiny Word document, as its zip table of contents tells it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/msword")


def xlsx(name: str = "votes.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def html_as_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "report.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )


def reviewer_of_b(tree):
    user = UserFactory(username="rita")
    assign_role(user=user, organization=tree.b, role="reviewer")
    return user


def report_of(period, organization) -> SecretaryReport:
    return SecretaryReport.objects.select_related("period", "organization").get(
        period=period, organization=organization
    )


def filled(period, organization, *, by, votes=VOTES) -> SecretaryReport:
    """The organization's report with a secretary, a summary, votes and a PDF, left a draft."""
    report = report_of(period, organization)
    report = services.save(
        report,
        secretary_name="王书记",
        summary="全年抓基层党建工作情况",
        votes=votes,
        version=report.version,
        acting_user=by,
    )
    services.add_documents(report, [pdf("述职报告.pdf")], acting_user=by)
    return report


def submitted(period, organization, *, by, votes=VOTES) -> SecretaryReport:
    report = filled(period, organization, by=by, votes=votes)
    return services.submit(report, version=report.version, acting_user=by)
