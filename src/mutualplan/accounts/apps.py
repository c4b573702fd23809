from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mutualplan.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from mutualplan.accounts.signin import forget_own_failures

        user_logged_in.connect(forget_own_failures, dispatch_uid="mutualplan.forget_own_failures")
