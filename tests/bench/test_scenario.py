"""Scenario files: what each URLS form becomes, the example for the demo, and bad files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from perfkit.bench import scenario
from perfkit.demo.models import Story
from perfkit.errors import UsageError

EXAMPLE = Path(__file__).resolve().parents[2] / "scenarios" / "bench" / "demo.py"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.py"
    path.write_text(textwrap.dedent(text))
    return path


def test_each_url_form_becomes_a_target(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        URLS = [
            "/a/",
            ("post", "/b/", {"x": 1}),
            ("DELETE", "/c/"),
            {"path": "/d/", "user": "editor", "name": "dashboard"},
        ]
        REPEAT = 3
        SIZES = [20, 4, 20]
        """,
    )
    loaded = scenario.load(path)
    targets = loaded.targets(4)
    assert [(t.name, t.method, t.path, t.user) for t in targets] == [
        ("/a/", "GET", "/a/", None),
        ("POST /b/", "POST", "/b/", None),
        ("DELETE /c/", "DELETE", "/c/", None),
        ("dashboard", "GET", "/d/", "editor"),
    ]
    assert targets[1].form(0) == {"x": 1}
    assert (loaded.repeat, loaded.warmup, loaded.sizes) == (3, None, [4, 20])


@pytest.mark.django_db
def test_the_demo_example_names_real_objects_and_unique_posts() -> None:
    from perfkit.demo.data import populate

    loaded = scenario.load(EXAMPLE)
    populate(5)
    targets = {t.name: t for t in loaded.targets(5)}
    first = Story.objects.order_by("pk").first()
    assert f"/stories/{first.pk}/" in targets
    post = targets["POST /stories/add/"]
    assert post.method == "POST" and post.form(1)["slug"] != post.form(2)["slug"]
    assert targets["admin story list"].user in loaded.users
    assert loaded.sizes == [5, 30]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("URLS = [\n  '/a/',\n  (\n", "syntax error at line"),
        ("import no_such_module_here\n", "fails to import: ModuleNotFoundError"),
        ("URLS = 'oops'\n", "URLS must be a list or a function of the size"),
        ("REPEAT = 0\n", "REPEAT must be a whole number, 1 or more"),
        ("SIZES = [10, 10]\n", "SIZES must list two or more whole numbers above 0"),
        ("USERS = ['editor']\n", "USERS must be a dict"),
    ],
)
def test_a_bad_file_is_one_line_naming_it(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(UsageError) as raised:
        scenario.load(path)
    assert str(raised.value).startswith(f"scenario {path}")
    assert message in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("42", "URLS entry 42 is not a path"),
        ("('FETCH', '/a/')", "method 'FETCH' is not one of GET, POST"),
        ("('POST', '/a/', 'x=1')", "data must be a dict or a function"),
    ],
)
def test_a_bad_url_entry_is_reported_when_the_urls_are_built(
    tmp_path: Path, entry: str, message: str
) -> None:
    loaded = scenario.load(write(tmp_path, f"URLS = [{entry}]\n"))
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        loaded.targets(1)


def test_an_exception_in_setup_names_the_size(tmp_path: Path) -> None:
    loaded = scenario.load(write(tmp_path, "def setup(n):\n    raise RuntimeError('no room')\n"))
    with pytest.raises(UsageError, match=r"setup\(7\) raised RuntimeError: no room$"):
        loaded.build(7)


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        scenario.load(tmp_path / "missing.py")
