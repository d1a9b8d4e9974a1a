"""Write-once object storage for Bylos: the S3 port, streaming hashes, the embedded SeaweedFS.

Nothing here imports ``service``; the service receives plain values and types against
:class:`storage.objectstore.ObjectStorePort`.
"""

from storage.errors import (
    IntegrityError,
    LaunchFailed,
    ObjectMissing,
    RetentionLocked,
    StorageError,
    StoreUnreachable,
)
from storage.objectstore import ObjectInfo, ObjectStore, ObjectStorePort, StoredObject

__all__ = [
    "IntegrityError",
    "LaunchFailed",
    "ObjectInfo",
    "ObjectMissing",
    "ObjectStore",
    "ObjectStorePort",
    "RetentionLocked",
    "StorageError",
    "StoreUnreachable",
    "StoredObject",
]
