from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "civitas.applications"
    label = "applications"

    def ready(self) -> None:
        from civitas.applications.services.documents import reencrypt_documents
        from civitas.security.rotation import register_file_rotation

        # `civitas security rotate-keys` rewrites document files along with encrypted fields
        register_file_rotation("applications.Document", reencrypt_documents)
