"""The stack's middle tiers: Jinja2 templates of the nginx, pgbouncer, gunicorn, PostgreSQL,
memcached and Redis configs `perfkit stack up` renders. Shipped in the wheel as ``perfkit.tiers``.
"""
