from rest_framework.negotiation import BaseContentNegotiation


class JsonErrorsNegotiation(BaseContentNegotiation):
    """A CSV download answers CSV whatever ``Accept`` says; its errors stay JSON like every other."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
