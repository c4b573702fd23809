"""The daily digests: each seller's digest of their plans and each buyer stakeholder's digest
of their own open steps, sent once per recipient per local day, with an unsubscribe link."""
