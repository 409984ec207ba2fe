"""The API's JSON parser (its own module: DRF imports parsers while it builds APIView)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering a 400 (not a 500) for bodies nested deeper than
    Python's recursion limit, with a translated message for any malformed body."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(_("The JSON is nested too deeply.")) from exc
        except exceptions.ParseError as exc:
            raise exceptions.ParseError(_("The body is not valid JSON.")) from exc
