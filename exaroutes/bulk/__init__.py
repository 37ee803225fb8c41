"""Bulk creation: checking the items (`items`), the job rows and their one create-and-enqueue (`jobs`),
the huey task body that renders them (`worker`) and the zip archive of the result (`archive`)."""
