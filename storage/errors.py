"""Storage error hierarchy; vendor errors (minio, urllib3) are translated into these.

The service layer maps each class to its HTTP status and a Lithuanian message, so the
messages here are English and meant for logs.
"""


class StorageError(Exception):
    """Any failure of the object store that the caller did not cause by a bad argument."""


class ObjectMissing(StorageError):
    """The key, or the requested version of it, does not exist."""


class StoreUnreachable(StorageError):
    """The store did not answer: connection refused, timeout, or a 5xx from the server."""


class RetentionLocked(StorageError):
    """Object Lock (retention or legal hold) forbids the delete, overwrite or shortening."""


class IntegrityError(StorageError):
    """The bytes do not match their SHA-256 (on upload, or when read back)."""


class LaunchFailed(StorageError):
    """The embedded SeaweedFS could not be started (binary missing, crashed, never ready)."""
