"""HubSpot deal exports: the export's column labels or the internal property names."""

from __future__ import annotations

NAME = "hubspot"
MARKERS = frozenset(
    {"record id", "deal name", "deal stage", "dealname", "dealstage", "hs_object_id"}
)
COLUMNS: dict[str, str] = {
    # Export labels
    "record id": "crm_id",
    "deal name": "deal_name",
    "deal stage": "stage",
    "close date": "close_date",
    "create date": "created",
    "amount": "amount",
    "currency": "currency",
    "deal owner": "owner",
    "associated company": "account_name",
    "associated company (primary)": "account_name",
    "company name": "account_name",
    "segment": "account_type",
    "account type": "account_type",
    "industry": "industry",
    # Internal property names
    "hs_object_id": "crm_id",
    "dealname": "deal_name",
    "dealstage": "stage",
    "closedate": "close_date",
    "createdate": "created",
    "deal_currency_code": "currency",
    "hubspot_owner_id": "owner",
}
# HubSpot's default pipeline writes stage ids, not labels: these close the deal.
WON = frozenset({"closedwon", "closed_won"})
LOST = frozenset({"closedlost", "closed_lost"})
