"""System checks of the reports app: `manage.py check` says when the PDF font is unusable."""

from django.core import checks

from . import fonts


@checks.register()
def report_font_installed(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A warning, not an error: the rest of the portal works, only PDF reports are refused."""
    return [
        checks.Warning(
            f"PDF reports cannot be made: {problem}.",
            hint="Run `make assets` (npm ci) to install the font package; see docs/operations.md.",
            id="reports.W001",
        )
        for problem in fonts.problems(deep=False)  # every command runs it: no font parsing
    ]
