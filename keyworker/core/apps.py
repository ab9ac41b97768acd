from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "keyworker.core"
    label = "core"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_removed

        from keyworker.core.middleware import forget_mfa_confirmation

        authenticator_removed.connect(forget_mfa_confirmation, dispatch_uid="keyworker.forget_mfa_confirmation")
