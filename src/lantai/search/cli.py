"""Search commands: `lantai search "查询词"` prints the top hits; `lantai search reindex`
rebuilds the index from the catalogue with a progress bar."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "search",
        help='full-text search: lantai search "查询词" | lantai search reindex',
        description='Print the top hits for a query (words, "phrases", AND/OR/NOT, 题名:…), '
        "or rebuild the index with `lantai search reindex`.",
    )
    p.add_argument("words", nargs="+", help='the query, or "reindex"')
    p.add_argument("--limit", type=int, default=10, help="how many hits (default 10)")
    p.add_argument("--sort", default="relevance", choices=["relevance", "date", "-date", "code"])
    p.add_argument("--fonds", action="append", default=[], help="only this fonds code (repeatable)")
    p.add_argument("--user", help="search as this user (their scope); default: the system, which sees all")
    p.add_argument("--quiet", action="store_true", help="no progress bar (reindex)")
    p.set_defaults(func=cmd_search)


def cmd_search(args: argparse.Namespace) -> int:
    if args.words == ["reindex"]:
        return cmd_reindex(args)
    from lantai.accounts.actor import Actor
    from lantai.accounts.models import User
    from lantai.core.errors import NotFound
    from lantai.search import queries

    actor = Actor.system("cli")
    if args.user:
        user = User.objects.filter(username=args.user).first()
        if user is None:
            raise NotFound(details={"user": args.user})
        actor = Actor.for_user(user)
    result = queries.search(
        actor,
        " ".join(args.words),
        queries.make_filters(fonds=args.fonds),
        sort=args.sort,
        per_page=args.limit,
        facets=False,
    )
    print(f"共 {result.total} 条 results")
    for n, hit in enumerate(result.hits, 1):
        page = f" 第{hit.page}页" if hit.page else ""
        print(f"{n:>3}. {hit.item.archival_code or '—'}  {_plain(hit.title)}{page}")
        if snippet := _plain(hit.snippet):
            print(f"     {snippet}")
    return 0


def _plain(html: object) -> str:
    """Highlighted HTML for a terminal: <mark> as 【】, tags stripped, entities decoded."""
    from html import unescape

    from django.utils.html import strip_tags

    text = str(html).replace("<mark>", "【").replace("</mark>", "】")
    return unescape(strip_tags(text))


def cmd_reindex(args: argparse.Namespace) -> int:
    import time

    from tqdm import tqdm

    from lantai.catalog.models import Item
    from lantai.search.indexing import reindex_all

    total = Item.objects.filter(deleted_at__isnull=True).count()
    started = time.monotonic()
    with tqdm(total=total, unit="件", desc="重建索引 reindexing", disable=args.quiet) as bar:
        done = reindex_all(progress=bar.update)
    seconds = time.monotonic() - started
    print(f"已重建索引 reindexed: {done} 件 items in {seconds:.1f} s")
    return 0
