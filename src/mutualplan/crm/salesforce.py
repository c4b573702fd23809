"""Salesforce Opportunity exports: a report's column labels or the API field names."""

from __future__ import annotations

NAME = "salesforce"
# Headers only Salesforce writes: one of them is enough to recognise the file.
MARKERS = frozenset({"opportunity id", "opportunity name", "stagename", "opportunityid"})
COLUMNS: dict[str, str] = {
    # Report labels
    "opportunity id": "crm_id",
    "opportunity name": "deal_name",
    "account name": "account_name",
    "stage": "stage",
    "close date": "close_date",
    "created date": "created",
    "amount": "amount",
    "opportunity currency": "currency",
    "currency": "currency",
    "opportunity owner": "owner",
    "owner email": "owner",
    "account type": "account_type",
    "segment": "account_type",
    "industry": "industry",
    # API names
    "id": "crm_id",
    "name": "deal_name",
    "account.name": "account_name",
    "stagename": "stage",
    "closedate": "close_date",
    "createddate": "created",
    "currencyisocode": "currency",
    "ownerid": "owner",
    "owner.email": "owner",
    "account.type": "account_type",
    "account.industry": "industry",
}
