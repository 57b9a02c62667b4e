from reps_dashboard.api.schema import AutoSchema, ValidationErrorSerializer

from .serializers import LEAD_IDS_SCHEMA


class CampaignSchema(AutoSchema):
    """``DELETE /campaigns/{id}/leads`` takes the same JSON array of lead ids as POST (and can
    answer 400); drf-spectacular documents request bodies on POST, PUT and PATCH only."""

    def _removes_leads(self):
        return self.method == "DELETE" and getattr(self.view, "action", None) == "leads"

    def _get_request_body(self, direction="request"):
        if self._removes_leads():
            return {"content": {"application/json": {"schema": LEAD_IDS_SCHEMA}}, "required": True}
        return super()._get_request_body(direction)

    def _error_responses(self):
        codes = super()._error_responses()
        if self._removes_leads():
            codes["400"] = ValidationErrorSerializer
        return codes
