from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "civitas.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from civitas.ops.lockout import notify_owner_of_lockout
        from civitas.security.signin import register_lockout_handler

        register_lockout_handler(notify_owner_of_lockout)

        from civitas.ops.publication import register as register_publication_sources

        register_publication_sources()

        from civitas.ops.subject_access import register as register_personal_data_sections

        register_personal_data_sections()
