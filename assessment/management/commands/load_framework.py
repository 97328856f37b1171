"""manage.py load_framework FILE: validate a framework file and load it as a draft version."""

import yaml
from django.core.management.base import BaseCommand, CommandError

from assessment import services
from assessment.scoring.spec import FrameworkError, load_file


class Command(BaseCommand):
    help = "Validate a framework file (YAML or JSON) and load it; nothing is loaded on any error."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--publish", action="store_true", help="publish it once loaded")
        parser.add_argument(
            "--replace-draft", action="store_true", help="replace a draft of the same version"
        )

    def handle(self, *args, file: str, publish: bool, replace_draft: bool, **options) -> None:
        try:
            data = load_file(file)
            framework = services.load_framework(data, replace_draft=replace_draft)
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file") from None
        except FrameworkError as exc:
            raise CommandError(
                f"{file}: {len(exc.errors)} problem(s), nothing loaded:\n  "
                + "\n  ".join(exc.errors)
            ) from None
        except services.FrameworkExists as exc:
            raise CommandError(str(exc)) from None
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise CommandError(f"{file}: cannot be read: {exc}") from None
        if publish:
            services.publish_framework(framework)
        count = framework.indicators.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {framework.code} {framework.version} ({framework.get_status_display()}): "
                f"{count} indicators."
            )
        )
