"""Page costs against the floor: every page each role reaches, at several database sizes.

For each size (a database filled by `make_bench_data`), the script starts gunicorn with
production settings and benchmark mode on 127.0.0.1, signs in as each role of the first
bench school, and finds the pages by crawling: the URL patterns without arguments, then
every same-site link on the pages found (GET only; one URL per pattern). Each page is then
requested `--rounds` times, each time right after the floor page (/_floor/: the base
layout, a constant template, the same middleware), so that load on the machine hits both
alike. Queries and server time come from the response headers of benchmark mode.

    .venv/bin/python benchmarks/pages.py \
        --size 1=postgres://postgres@127.0.0.1:5432/counseling_h8_s1 \
        --size 10=postgres://postgres@127.0.0.1:5432/counseling_h8_s10 --rounds 5

A 600-class school (`make_bench_data --large-schools 1`): `--school L001 --size 600c=...`.

The table goes to stdout and, with --results, between the `pages` markers of
benchmarks/RESULTS.md.
"""

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import time
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "bench12345"
ROLES = ["counselor", "principal", "liaison1", "t01", "m01", "student"]
# Not pages: signing out, switching language, the admin, files, and the heavy downloads
# (exports and PDFs belong in background jobs, measured by their own benchmark).
SKIP = re.compile(
    r"^/(accounts/logout|i18n|admin|static|media|healthz|_floor)|"
    r"(export|download|\.xlsx|\.pdf|\.csv|/file/|template\.)"
)


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


class Client:
    """A cookie-keeping HTTP client for one signed-in user (the stdlib has no session)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {
            # Production settings want HTTPS: say the proxy terminated it.
            "X-Forwarded-Proto": "https",
            "Host": "127.0.0.1",
            "Referer": f"https://127.0.0.1{path}",
            "Accept-Language": "zh-hans",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
        wall = (time.perf_counter() - started) * 1000
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        timing = re.search(r"dur=([\d.]+)", response.getheader("Server-Timing") or "")
        return {
            "status": response.status,
            "location": response.getheader("Location"),
            "queries": int(response.getheader("X-Bench-Queries") or -1),
            "server_ms": float(timing.group(1)) if timing else None,
            "wall_ms": wall,
            "bytes": len(content),
            "body": content,
        }

    def sign_in(self, username):
        page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page["body"])
        body = urlencode(
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1).decode(),
            }
        )
        result = self.request("POST", "/accounts/login/", body)
        if result["status"] != 302:
            raise RuntimeError(f"{username} could not sign in ({result['status']})")


def route_of(path):
    """The URL pattern a path belongs to (one measured URL per pattern)."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name or match.route


def argument_free_paths():
    """Every URL pattern that needs no argument: the crawl's first frontier."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, prefix):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and "<" not in route and not route.startswith("^"):
                found.append("/" + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def crawl(client, limit):
    """Pages (path by pattern) that answer 200 to this user."""
    seen_routes, pages = set(), {}
    queue = deque(["/"] + argument_free_paths())
    visited = set()
    while queue and len(pages) < limit:
        path = queue.popleft()
        if path in visited or SKIP.search(path):
            continue
        visited.add(path)
        route = route_of(path)
        if route is None or route in seen_routes:
            continue
        result = client.request("GET", path)
        if result["status"] != 200:
            continue
        seen_routes.add(route)
        pages[route] = path
        if result["body"].lstrip()[:1] == b"<":
            parser = Links()
            parser.feed(result["body"].decode("utf-8", "replace"))
            for href in parser.hrefs:
                target = urljoin(path, href)
                parts = urlsplit(target)
                if parts.netloc or parts.scheme or href.startswith("#"):
                    continue
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def measure(client, pages, rounds):
    rows = []
    for route, path in pages.items():
        floor, page = [], []
        for _ in range(rounds):
            floor.append(client.request("GET", "/_floor/"))
            page.append(client.request("GET", path))
        floor_ms = statistics.median(r["server_ms"] for r in floor)
        times = [r["server_ms"] for r in page]
        rows.append(
            {
                "route": route,
                "path": path,
                "queries": sorted({r["queries"] for r in page}),
                "floor_queries": floor[-1]["queries"],
                "median": statistics.median(times),
                "p95": p95(times),
                "floor": floor_ms,
                "ratio": statistics.median(times) / floor_ms if floor_ms else None,
                "kb": page[-1]["bytes"] / 1024,
            }
        )
    return rows


def start_gunicorn(database_url, port, workers, redis_url):
    from django.conf import settings  # after django.setup() in main()

    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "benchmark-only-" + "x" * 40,
        # The bench data was written under development settings: its tier-3 key.
        "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
        # Bench staff have no second factor: the crawl measures pages, not the sign-in.
        "OTP_REQUIRED": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "PORTAL_BENCHMARK_MODE": "true",
        "DJANGO_LOG_LEVEL": "WARNING",
        "AXES_FAILURE_LIMIT": "1000",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "counseling.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def table(results):
    lines = [
        "| schools | role | page | queries (floor) | median ms | p95 ms | floor ms | × floor | KB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size, role, row in results:
        queries = "/".join(str(q) for q in row["queries"])
        ratio = f"{row['ratio']:.1f}" if row["ratio"] else "?"
        lines.append(
            f"| {size} | {role} | `{row['route']}` | {queries} ({row['floor_queries']}) "
            f"| {row['median']:.1f} | {row['p95']:.1f} | {row['floor']:.1f} | {ratio} "
            f"| {row['kb']:.0f} |"
        )
    return "\n".join(lines)


def summary(results, goal=3.0):
    """One line per size: pages measured, how many are over the goal, the median ratio
    and the worst page, so that the table says at once whether the goal holds."""
    lines = []
    sizes = list(dict.fromkeys(size for size, _role, _row in results))
    for size in sizes:
        rows = [(role, row) for s, role, row in results if s == size and row["ratio"]]
        over = sorted(
            ((row["ratio"], role, row["route"]) for role, row in rows if row["ratio"] > goal),
            reverse=True,
        )
        ratios = [row["ratio"] for _role, row in rows]
        worst = max(rows, key=lambda r: r[1]["ratio"], default=None)
        line = (
            f"- {size}: {len(rows)} pages, {len(over)} over {goal:.0f}× the floor, "
            f"median {statistics.median(ratios):.1f}×"
            if ratios
            else f"- {size}: no page measured"
        )
        if worst:
            line += f", worst `{worst[1]['route']}` ({worst[0]}, {worst[1]['ratio']:.1f}×)"
        if over:
            line += "; over: " + ", ".join(f"`{r}` ({who}, {x:.1f}×)" for x, who, r in over)
        lines.append(line)
    return "\n".join(lines)


def write_results(path, text, header, block="pages"):
    content = path.read_text() if path.exists() else ""
    start, end = f"<!-- {block}:start -->", f"<!-- {block}:end -->"
    block = f"{start}\n{header}\n\n{text}\n{end}"
    if start in content and end in content:
        content = content[: content.index(start)] + block + content[content.index(end) + len(end) :]
    else:
        content += "\n" + block + "\n"
    path.write_text(content)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", action="append", required=True, help="N=DATABASE_URL")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--port", type=int, default=8800)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--max-pages", type=int, default=60, help="per role")
    parser.add_argument("--redis-url", default="")
    parser.add_argument(
        "--school",
        default="s001",
        help="the bench school whose users sign in: s001, or L001 for the first large one",
    )
    parser.add_argument("--results", type=Path, default=None)
    parser.add_argument(
        "--block", default="pages", help="the markers in --results to write between"
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "counseling.settings")
    import django

    django.setup()

    results = []
    for spec in args.size:
        size, _, url = spec.partition("=")
        server = start_gunicorn(url, args.port, args.workers, args.redis_url)
        try:
            for role in args.roles.split(","):
                client = Client(args.port)
                client.sign_in(f"bench-{args.school}-{role}")
                pages = crawl(client, args.max_pages)
                print(f"# {size} schools, {role}: {len(pages)} pages", file=sys.stderr)
                for row in measure(client, pages, args.rounds):
                    results.append((size, role, row))
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = table(results)
    print(text)
    print(summary(results))
    if args.results:
        load = os.getloadavg()
        header = (
            f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on "
            f"{os.cpu_count()} cores, load average at the end {load[0]:.1f} / {load[1]:.1f} / "
            f"{load[2]:.1f}, gunicorn {args.workers} workers, {args.rounds} rounds per page, "
            "each after the floor page.\n\n" + summary(results)
        )
        write_results(args.results, text, header, args.block)


if __name__ == "__main__":
    main()
