"""Calendars: plans as iCalendar (RFC 5545), rendered from plain data (no database here)."""
