"""Email: MUTUALPLAN_EMAIL_URL parsed into Django's settings, and the emails the app sends."""
