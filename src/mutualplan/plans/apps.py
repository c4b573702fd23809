from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "mutualplan.plans"
    label = "plans"
