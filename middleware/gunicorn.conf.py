# gunicorn: one app server of the stack (perfkit stack up starts one per --app-servers).
# Rendered by `perfkit stack up` (Jinja2). Variables:
#   run_dir   absolute run directory
#   name      this app server's name (app1, app2, …)
#   port      the loopback port it binds
#   workers   worker processes
#   threads   threads per worker (1: sync workers)
bind = "127.0.0.1:{{ port }}"
workers = int("{{ workers }}")
threads = int("{{ threads }}")
worker_class = "gthread" if threads > 1 else "sync"
proc_name = "perfkit-{{ name }}"
pidfile = "{{ run_dir }}/{{ name }}.pid"
errorlog = "{{ run_dir }}/logs/{{ name }}.log"
loglevel = "warning"
keepalive = 65
timeout = 30
graceful_timeout = 5
