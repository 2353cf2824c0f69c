"""The report as one self-contained HTML page (no scripts, no external files) with the bars."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined

from perfkit.latency.model import ROWS, LatencyReport, ModeResult, Summary, UrlResult

PARTS = (("backend", "#c62828"), ("network", "#f9a825"), ("frontend", "#1565c0"))

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>perfkit latency: {{ report.target }}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; max-width: 68rem; margin: 2rem auto;
       padding: 0 1rem; color: #1d2430; }
h2 { margin-top: 2.5rem; word-break: break-all; font-size: 1.1rem; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { padding: .2rem .6rem; text-align: right; border-bottom: 1px solid #d9dde3; }
th:first-child, td:first-child { text-align: left; }
.bar { display: flex; height: 1.3rem; max-width: 40rem; background: #eee; }
.bar span { display: block; height: 100%; }
.legend span { margin-right: 1rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; }
.verdict { font-weight: bold; }
.error { color: #b3261e; font-weight: bold; }
.warning { color: #8a5a00; }
.info { color: #555; }
</style>
</head>
<body>
<h1>perfkit latency</h1>
<p>{{ report.target }}; {{ report.runs }} run(s) per mode after a warm-up;
{{ report.browser }} {{ report.browser_version }}.</p>
{% for page in pages %}
<h2>{{ page.url }}</h2>
{% if page.error %}
<p class="error">not measured: {{ page.error }}</p>
{% else %}
<table>
<tr>{% for cell in page.header %}<th>{{ cell }}</th>{% endfor %}</tr>
{% for row in page.rows %}
<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}
</table>
{% for mode in page.modes %}
<p>{{ mode.title }}</p>
<div class="bar" role="img" aria-label="backend, network and frontend time">
{% for part in mode.parts %}
<span title="{{ part.name }}"
      style="width: {{ part.width }}%; background: {{ part.colour }}"></span>
{% endfor %}
</div>
<p class="legend">
{% for part in mode.parts %}
<span><i class="swatch" style="background: {{ part.colour }}"></i>{{ part.label }}</span>
{% endfor %}
</p>
{% if mode.resources %}<p>sub-resources: {{ mode.resources }}</p>{% endif %}
{% endfor %}
<p class="verdict">{{ page.verdict }}</p>
<ul>
{% for finding in page.findings %}<li class="{{ finding.severity }}">{{ finding.message }}</li>
{% endfor %}
</ul>
{% endif %}
{% endfor %}
</body>
</html>
"""


def render(report: LatencyReport) -> str:
    """The HTML text; every value from the report is escaped."""
    environment = Environment(autoescape=True, undefined=StrictUndefined)
    template = environment.from_string(_TEMPLATE)
    return template.render(report=report, pages=[_page(r) for r in report.results])


def write(report: LatencyReport, path: Path) -> None:
    path.write_text(render(report))


def _ms(summary: Summary | None) -> str:
    return "" if summary is None else f"{summary.median:.1f} ({summary.low:.1f}–{summary.high:.1f})"


def _count(summary: Summary | None) -> str:
    return "" if summary is None else f"{summary.median:,.0f}"


def _page(result: UrlResult) -> dict[str, Any]:
    if result.error:
        return {"url": result.url, "error": result.error}
    modes = result.modes
    rows = []
    for label, curl_key, browser_key in ROWS:
        curl = _ms(result.curl.get(curl_key)) if curl_key else ""
        rows.append([label, curl, *(_ms(m.summary.get(browser_key)) for m in modes)])
    rows.append(["bytes", _count(result.curl.get("bytes"))])
    rows[-1] += [_count(m.summary.get("total_bytes")) for m in modes]
    rows.append(["requests", "1", *(_count(m.summary.get("requests")) for m in modes)])
    split = result.split
    return {
        "url": result.url,
        "error": None,
        "header": ["ms, median (range)", "curl (httpx)", *(f"browser, {m.mode}" for m in modes)],
        "rows": rows,
        "modes": [_mode(m) for m in modes],
        "verdict": split.verdict if split else "",
        "findings": result.findings,
    }


def _mode(mode: ModeResult) -> dict[str, Any]:
    split = mode.split
    title = f"{mode.mode}: {split.end_ms:.1f} ms until the page was done"
    if split.server:
        server = ", ".join(f"{name} {value:.2f} ms" for name, value in split.server.items())
        title += f" (server: {server})"
    parts = [
        {
            "name": name,
            "colour": colour,
            "width": f"{split.share(name) * 100:.2f}",
            "label": f"{name} {getattr(split, f'{name}_ms'):.1f} ms "
            f"({split.share(name) * 100:.0f}%)",
        }
        for name, colour in PARTS
    ]
    resources = ", ".join(
        f"{kind} {total.count} ({total.transfer_bytes:,} bytes)"
        for kind, total in mode.resources.items()
    )
    return {"title": title, "parts": parts, "resources": resources}
