"""Readers for each tier's own numbers: nginx's access log, pgbouncer, memcached, Redis."""
