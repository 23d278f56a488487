"""Errors a user can act on. Their messages are Dutch: a data steward reads them."""


class MonitorError(Exception):
    """A problem reported to the user by message, without a traceback, exit code non-zero."""


class RefusedFile(MonitorError):
    """An export file that cannot be read as a whole; the build stops, the warehouse is kept."""

    def __init__(self, bestand: str, probleem: str):
        self.bestand = bestand
        self.probleem = probleem
        super().__init__(f"Bestand {bestand} geweigerd: {probleem}")


class CheckFailed(MonitorError):
    """A build check (row conservation, validation) failed; the warehouse is kept."""
