"""Packaging for perfkit: the middleware needs only Django; extras add the CLI and tools."""

import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(r'__version__ = "([^"]+)"', (HERE / "perfkit/__init__.py").read_text())[1]

#: Installing perfkit never changes the project's Django. pip takes the newest release of a
#: package it adds, and upgrades Django when that release needs a newer one: model_bakery
#: 1.24 needs Django 5.2, django-debug-toolbar 7 needs 5.2. The bounds stop below those.
CLI = [
    "rich>=13",
    "httpx>=0.27",
    "Jinja2>=3.1",
    "model_bakery>=1.18,<1.24",
    "scipy>=1.11",
    "pyinstrument>=4.6",
    #: the report's analysis engine over the local stores, and the Parquet export
    "duckdb>=1.1",
    #: reads the columns a statement filters and sorts on, for bench --explain's index advice
    "sqlglot>=25",
    "tomli>=2; python_version<'3.11'",
]
#: DuckDB's SQLite scanner, so the report reads a SQLite store in place instead of copying
#: it to a temporary file first. Each release of the package is built for one DuckDB release
#: and requires it: pip picks the DuckDB that the newest scanner was built for.
SQLITE_SCAN = ["duckdb-extension-sqlite-scanner>=1.1"]
STORES = ["psycopg[binary]>=3.1", "redis>=5"]
#: The stack records into PostgreSQL (or Redis) and health-checks its PostgreSQL: it needs both.
STACK = [*STORES, "gunicorn>=22", "locust>=2.30", "py-spy>=0.3", "pymemcache>=4"]
BROWSER = ["playwright>=1.45"]
TOOLBAR = ["django-debug-toolbar>=4.4,<7"]
#: The middleware's optional compiled accelerator: the background writer encodes recordings
#: with orjson when it is installed (never required; the standard library's json otherwise).
SPEEDUPS = ["orjson>=3.9"]
#: The peers benchmarks/ measures perfkit's overhead against, in the same rounds. Neither
#: declares Django (so neither can move it); the bounds stop below a next major that might.
PEERS = ["django-zeal>=2.2,<3", "django-querycount>=0.8,<0.9"]
DEV = [
    *CLI,
    *SQLITE_SCAN,
    *STORES,
    *STACK,
    *BROWSER,
    *TOOLBAR,
    *SPEEDUPS,
    *PEERS,
    "pytest>=8",
    "pytest-django>=4.8",
    "pytest-benchmark>=4",
    "hypothesis>=6",
    # what the fixture projects under tests/bench use, as real projects do
    "django-taggit>=5",
    "factory-boy>=3.3",
    "djangorestframework>=3.15,<3.18",  # 3.18 needs Django 5.2: pip would move a 4.2 venv
    "django-compressor>=4.4,<4.7",  # 4.7 needs Django 5.2: pip would move a 4.2 venv
    "Pillow>=10",
    "PyMySQL>=1.1",
    "uvicorn>=0.30",
    "requests>=2.31",  # the outbound-call tests call a local API the way projects do
    "ruff>=0.6",
    "mypy>=1.11",
    "django-stubs>=5.1",  # requires plain django (no bound): a 4.2 venv stays on 4.2
]

#: Folders of the checkout that ship inside the package, read with importlib.resources: the
#: stack's middle tiers (nginx, pgbouncer, gunicorn, cache configs) and the example scenarios.
SHIPPED = {
    "perfkit.tiers": "middleware",
    "perfkit.scenarios": "scenarios",
    "perfkit.scenarios.bench": "scenarios/bench",
    "perfkit.scenarios.load": "scenarios/load",
}

setup(
    name="perfkit",
    version=VERSION,
    description="Django performance-profiling middleware and benchmarking suite",
    long_description=(HERE / "README.md").read_text(),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.10",
    packages=[*find_packages(include=["perfkit", "perfkit.*"]), *SHIPPED],
    package_dir=SHIPPED,
    include_package_data=True,
    package_data={
        "perfkit": ["py.typed", "templates/perfkit/*.html", "templates/reports/*.html"],
        "perfkit.tiers": ["*.conf", "*.ini", "*.py", "*.md"],
        "perfkit.scenarios": ["*.md"],
        "perfkit.demo": ["templates/demo/*.html", "static/demo/*"],
    },
    install_requires=["Django>=4.2,<6"],
    extras_require={
        "cli": CLI,
        "stores": STORES,
        "stack": STACK,
        "browser": BROWSER,
        "toolbar": TOOLBAR,
        "speedups": SPEEDUPS,
        "sqlite-scan": [*CLI, *SQLITE_SCAN],
        "dev": DEV,
    },
    entry_points={
        "console_scripts": ["perfkit = perfkit.cli:main"],
        "pytest11": ["perfkit = perfkit.pytest_plugin"],
    },
    classifiers=[
        "Framework :: Django",
        "Framework :: Django :: 4.2",
        "Framework :: Django :: 5.2",
        "Programming Language :: Python :: 3",
    ],
)
