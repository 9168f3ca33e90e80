"""Scheduled tasks: templates and schedules (planning), when each occurrence falls (rules), posting them into pair channels and marking them done (posting), and how they look on the wire."""
