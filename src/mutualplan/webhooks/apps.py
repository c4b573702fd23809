from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "mutualplan.webhooks"
    label = "webhooks"
