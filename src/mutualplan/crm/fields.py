"""The deal fields a CRM column can map to, and what each one is."""

from __future__ import annotations

FIELDS: dict[str, str] = {
    "crm_id": "the deal's id in the CRM (required)",
    "account_name": "the account (company) name",
    "deal_name": "the deal's name (the account name when the file has no account column)",
    "stage": "the CRM stage (required); Closed Won / Closed Lost close the deal",
    "created": "when the deal was created or engaged",
    "close_date": "the close date (expected while open, actual once won or lost)",
    "amount": "the amount, with or without a currency symbol",
    "currency": "a three-letter currency code",
    "owner": "the deal owner (a seller's email or full name)",
    "account_type": "the account type or segment (smb, mid_market, enterprise...)",
    "industry": "the account's industry",
}
IGNORE = "ignore"
