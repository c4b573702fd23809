from django.apps import AppConfig


class LiveConfig(AppConfig):
    """Live updates: listens to the plans' publish hook, so `plans` never imports `live`."""

    name = "mutualplan.live"
    label = "live"

    def ready(self) -> None:
        from mutualplan.live import backends
        from mutualplan.plans import live as plan_events

        plan_events.subscribe(backends.publish)
