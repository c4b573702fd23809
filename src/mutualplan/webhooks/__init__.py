"""Outbound webhooks: endpoints a workspace registers, and the signed deliveries of its plans'
events to them, sent by the task queue (`tasks.py`), never in a request."""
