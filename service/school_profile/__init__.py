"""The school's profile (letterhead and signature block) as the admin keeps it: the
``BYLOS_SCHOOL_*`` settings are its starting value, a saved profile wins over them."""
