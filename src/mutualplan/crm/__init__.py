"""CRM deal exports (Salesforce, HubSpot, any CSV through a column mapping) read into plain
deal records. Pure: no Django; the service `plans/services/deal_imports.py` saves them."""
