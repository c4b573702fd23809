from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "mutualplan.digests"
    label = "digests"
