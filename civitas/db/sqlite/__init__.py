"""Django's SQLite backend with write transactions queued (see ``base``)."""
