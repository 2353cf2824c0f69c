"""The full tier stack: nginx → gunicorn → pgbouncer → PostgreSQL, with memcached or Redis."""
