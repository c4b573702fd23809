from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "mutualplan.workspaces"
    label = "workspaces"
