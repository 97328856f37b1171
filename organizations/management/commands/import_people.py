"""`manage.py import_people FILE [--dry-run]`: import party members and staff from CSV or XLSX.

Same behaviour as `import_orgs` (full rights, preview, non-zero exit code on any error).
"""

from organizations.importers import PEOPLE

from .import_orgs import Command as ImportOrganizationsCommand


class Command(ImportOrganizationsCommand):
    help = (
        "Import people (employee_number, name, organization_code, department_code, kind, "
        "party_member_since, status) from CSV or XLSX."
    )
    import_kind = PEOPLE
