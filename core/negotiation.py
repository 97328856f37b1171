"""Content negotiation for viewsets that have a filter called `format`.

DRF reads ``?format=`` as the choice of renderer (URL_FORMAT_OVERRIDE), so the report list's own
`format` filter (pdf, xlsx, csv) answered 404 "Not found": no renderer is called pdf. Such a view
chooses its renderer from the Accept header only.
"""

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.settings import api_settings


class _WithoutFormatParameter:
    def __getattr__(self, name: str):
        return None if name == "URL_FORMAT_OVERRIDE" else getattr(api_settings, name)


class AcceptHeaderNegotiation(DefaultContentNegotiation):
    settings = _WithoutFormatParameter()
