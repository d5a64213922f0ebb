from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "civitas.security"
    label = "security"
    verbose_name = "Security"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from civitas.security import checks  # noqa: F401 - registers the system checks
        from civitas.security.crypto import reload_keys

        def keys_changed(*, setting: str, **kwargs) -> None:
            if setting.startswith("CIVITAS_FIELD_") or setting == "SECRET_KEY":
                reload_keys()

        setting_changed.connect(keys_changed, weak=False, dispatch_uid="civitas-security-keys")
