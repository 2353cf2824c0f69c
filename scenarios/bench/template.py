"""A bench scenario template for your own site: copy it and fill in your URLs and data."""

# Run it as: perfkit bench --settings mysite.settings --scenario scenarios/bench/mysite.py
# Every name is optional. Leave URLS out and bench discovers the URLconf's GET routes; leave
# setup out and it generates rows for your models. The test database is emptied before
# setup(n) runs at each size.

from __future__ import annotations

# Data sizes to run at (--sizes overrides); two or more.
SIZES = [5, 30]

# Measured requests per URL and size (--repeat overrides), after WARMUP unmeasured ones.
REPEAT = 5
WARMUP = 1

# Users made after setup(n) at every size, with field values; no password is needed.
USERS = {"editor": {"is_staff": True}}

# Who requests each view, comma-separated: "anonymous", "user", "staff", "superuser" (users
# bench creates) or usernames from USERS; each view is requested as each one it serves
# (--login overrides; all four personas when left out).
LOGIN = "anonymous,editor"


def setup(n: int) -> None:
    """Build the data for size n, e.g. with model_bakery or your own factories."""
    from model_bakery import baker
    from shop.models import Product  # your models

    baker.make(Product, _quantity=n, _fill_optional=True)


def new_order(i: int) -> dict[str, object]:
    """Form data for a POST; i counts requests, so unique fields can differ each time."""
    return {"reference": f"bench-{i}", "quantity": 1}


# A list, or a function of n returning one (for paths that need ids from the data). Each
# entry is a path (GET), (method, path) or (method, path, data) where data is a dict or a
# function of the request count, or a dict with "path" and any of "method", "data", "user"
# (a username to log in as) and "name" (the label in the report).
URLS = [
    "/",
    "/products/",
    {"path": "/account/", "user": "editor"},
    ("POST", "/orders/", new_order),
]
