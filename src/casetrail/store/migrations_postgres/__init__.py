"""The PostgreSQL dialect of store/migrations: the same numbers, the same tables and columns."""
