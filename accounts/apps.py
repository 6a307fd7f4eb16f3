from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Organizations and people"

    def ready(self) -> None:
        # Session bookkeeping at every login, whatever the path (our views, the admin's form, the test client).
        from accounts.auth import middleware  # noqa: F401
