"""A breadth-first crawler over Django's test Client: every same-site link (`a href`, `hx-get`) a person can
reach from the home page, GET only, bounded (a few query-string variants per path, no big downloads)."""

from __future__ import annotations

import re
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.apps import apps
from django.db import models
from django.test import Client

# Not followed: leaving the session, files served as they are, downloads that may be big, Django's admin.
SKIPPED_PREFIXES = ("/logout/", "/static/", "/media/", "/admin/")
SKIPPED_PARTS = ("/download/",)
# A page is rendered by its template whatever the object: one instance of each URL pattern (ids left
# out), and of its query-string variants (filters, tabs), find what breaks and keep the crawl to seconds.
PER_PATTERN = 1
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class _Links(HTMLParser):
    """The targets of `a href` and of any element's `hx-get`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or name == "hx-get"):
                self.targets.append(value)


def links_in(html: str, base: str) -> list[str]:
    """Same-site URLs (path and query, no fragment) linked from `html`, a page at `base`."""
    parser = _Links()
    parser.feed(html)
    found = []
    for target in parser.targets:
        if target.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        url = urldefrag(urljoin(base, target)).url
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def followed(url: str) -> bool:
    path = urlsplit(url).path
    return not path.startswith(SKIPPED_PREFIXES) and not any(part in path for part in SKIPPED_PARTS)


def pattern(url: str) -> str:
    """`url` with its identifiers left out, and whether it has a query string: "/zones/<id>/edit/?"."""
    parts = urlsplit(url)
    return UUID_RE.sub("<id>", parts.path) + ("?" if parts.query else "")


@dataclass
class Crawl:
    """What one person reached: each URL with its status, and the 5xx among them."""

    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[str]:
        return sorted(f"{status} {url}" for url, status in self.statuses.items() if status >= 500)

    @property
    def reached(self) -> set[str]:
        return {url for url, status in self.statuses.items() if status < 400}


def crawl(client: Client, start: str = "/", *, kind: Callable[[str], str] | None = None) -> Crawl:
    """GET `start` and every same-site link reachable from it, breadth first; a redirect counts as a link.
    Of the URLs of one `kind` (default: their `pattern`), the first PER_PATTERN are followed."""
    kind = kind or pattern
    result = Crawl()
    queue: deque[str] = deque([start])
    seen = {start}
    taken: dict[str, int] = {}
    while queue:
        url = queue.popleft()
        response = client.get(url)
        result.statuses[url] = response.status_code
        if response.status_code in (301, 302, 303, 307, 308):
            targets = [response["Location"]]
        elif response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            targets = links_in(response.content.decode(response.charset or "utf-8"), f"http://testserver{url}")
        else:
            continue
        for target in targets:
            target = urldefrag(urljoin(f"http://testserver{url}", target)).url.removeprefix("http://testserver")
            if target in seen or not followed(target):
                continue
            if taken.get(key := kind(target), 0) >= PER_PATTERN:
                continue
            taken[key] = taken.get(key, 0) + 1
            seen.add(target)
            queue.append(target)
    return result


@dataclass(frozen=True)
class Scope:
    """Where one object lives: its organization and, below the organization, its site (None for an
    organization-wide object)."""

    organization: uuid.UUID
    site: uuid.UUID | None


def scopes_by_id() -> dict[uuid.UUID, Scope]:
    """Every public identifier of a scoped object, with where it lives, read from the models' own declaration of
    their scope root (`access_site_path`, `access_organization_path`), not from the permission door."""
    scopes: dict[uuid.UUID, Scope] = {}
    for model in apps.get_models():
        if not isinstance(model._meta.pk, models.UUIDField):
            continue
        site_path: str | None = getattr(model, "access_site_path", None)
        org_path: str | None = getattr(model, "access_organization_path", None)
        manager = model._default_manager
        if site_path is not None:
            site = site_path or "pk"
            org = f"{site_path}__organization" if site_path else "organization"
            for pk, site_id, org_id in manager.values_list("pk", site, org):
                if org_id is not None:
                    scopes[pk] = Scope(org_id, site_id)
        elif org_path is not None:
            for pk, org_id in manager.values_list("pk", org_path or "pk"):
                scopes[pk] = Scope(org_id, None)
    return scopes


def scopes_in(url: str, scopes: dict[uuid.UUID, Scope]) -> list[Scope]:
    """Where the objects named in `url`'s path live (identifiers of unscoped things are left out)."""
    found = (scopes.get(uuid.UUID(text)) for text in UUID_RE.findall(urlsplit(url).path))
    return [scope for scope in found if scope is not None]
