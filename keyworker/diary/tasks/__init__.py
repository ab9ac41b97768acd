"""Background jobs of the diary (django-tasks, database backend; run by `keyworker db_worker`)."""
