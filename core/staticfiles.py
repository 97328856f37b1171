"""The production storage of static files: hashed names, compressed copies in gzip only.

whitenoise also writes Brotli copies when the brotli module is installed (WeasyPrint's font
tools bring it): seventy times slower than gzip, it made `collectstatic` take minutes on every
deploy, for copies Debian's nginx cannot serve (`gzip_static` is its only precompressed format,
deploy/nginx/partybuild.conf). whitenoise serves the gzip copies too.
"""

from typing import Any

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

__all__ = ["GzipManifestStaticFilesStorage"]


class GzipManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs: Any) -> Compressor:
        return Compressor(**{**kwargs, "use_brotli": False})
