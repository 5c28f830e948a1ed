"""``mockserver`` command line: serve, seed, check-specs, routes."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path
from typing import Any

from mockserver.errors import MockServerError
from mockserver.settings import ALL_APIS
from mockserver.settings import Settings


def _settings(args: argparse.Namespace, default_store: str | None = None) -> Settings:
    settings = Settings.from_env()
    changes: dict[str, Any] = {}
    if default_store and "MOCKSERVER_STORE" not in os.environ:
        changes["store"] = default_store  # serve and seed keep their data unless told otherwise
    if args.apis:
        changes["apis"] = tuple(a.strip() for a in args.apis.split(",") if a.strip())
    for name in ("seed", "volume", "store", "data_dir", "redis_url", "specs_dir", "fixtures_dir"):
        value = getattr(args, name, None)
        if value is not None:
            changes[name] = value
    features = dict(settings.features)
    mode = {
        key: value
        for key, value in (
            ("mode", getattr(args, "rate_limit", None)),
            ("ietf", getattr(args, "rate_limit_ietf", None) or None),
            ("temp-block", getattr(args, "rate_limit_temp_block", None) or None),
        )
        if value is not None
    }
    overrides = parse_overrides(getattr(args, "rate_limit_override", None) or [])
    if overrides:
        mode = {**mode, "mode": "custom", "overrides": overrides}
    if mode:
        features["ratelimit"] = mode
    if getattr(args, "fault", None):
        features["faults"] = parse_fault_flags(args.fault)
    if getattr(args, "idempotency_ttl", None) is not None:
        features["idempotency"] = {"ttl": args.idempotency_ttl}
    if features != settings.features:
        changes["features"] = features
    return settings.replace(**changes)


def parse_overrides(flags: list[str]) -> dict[str, dict[str, int]]:
    """``--rate-limit-override burst.burst-capacity=5`` -> ``{"burst": {"burst-capacity": 5}}``."""
    found: dict[str, dict[str, int]] = {}
    for flag in flags:
        target, sep, raw = flag.partition("=")
        policy, dot, number = target.partition(".")
        if not (sep and dot and raw.isdigit()):
            raise MockServerError(f"--rate-limit-override {flag!r}: expected POLICY.NAME=INTEGER")
        found.setdefault(policy, {})[number] = int(raw)
    return found


def parse_fault_flags(flags: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """``--fault robaws.listClients:error_rate=0.2,latency_ms=50`` (target optional: all)."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for flag in flags:
        target, _, options = (
            flag.rpartition(":") if "=" in flag.rpartition(":")[2] else ("", "", flag)
        )
        api, _, operation = target.partition(".")
        values: dict[str, Any] = {}
        for item in filter(None, options.split(",")):
            name, sep, raw = item.partition("=")
            if not sep:
                raise MockServerError(f"--fault {flag!r}: expected name=value, got {item!r}")
            try:
                values[name.strip()] = float(raw) if name.strip() != "seed" else int(raw)
            except ValueError:
                raise MockServerError(f"--fault {flag!r}: {name} must be a number") from None
        found.setdefault(api or "*", {})[operation or "*"] = values
    return found


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--apis", help=f"comma list (default: {','.join(ALL_APIS)})")
    parser.add_argument("--seed", type=int, help="seed for generated data (default 1234)")
    parser.add_argument("--volume", type=int, help="records per resource per tenant")
    parser.add_argument(
        "--store",
        choices=["memory", "sqlite", "redis"],
        help="where state lives (env MOCKSERVER_STORE; serve and seed default to sqlite)",
    )
    parser.add_argument(
        "--data-dir", type=Path, help="folder for the SQLite store (default ./.mockserver)"
    )
    parser.add_argument("--redis-url")
    parser.add_argument("--specs-dir", type=Path)
    parser.add_argument("--fixtures-dir", type=Path)


def banner(app: Any, host_url: str) -> str:
    from mockserver.admin import credentials_of
    from mockserver.app import get_engine

    lines = [f"mockserver listening on {host_url}", ""]
    for runtime in get_engine(app).runtimes.values():
        info = credentials_of(runtime, host_url + "/")
        lines.append(f"  {info['title']}")
        lines.append(f"    base URL : {info['baseUrl']}")
        lines.append(f"    spec     : {info['specUrl']}")
        tenant = info["tenants"][0]
        if tenant["credentials"]:
            cred = tenant["credentials"][0]
            secret = {k: v for k, v in cred.items() if k not in ("curl", "label", "scheme")}
            lines.append(f"    tenant   : {tenant['id']}  {secret}")
            lines.append(f"    try      : {cred['curl']}")
        lines.append("")
    lines.append(f"  dashboard: {host_url}/__admin/ui")
    lines.append(f"  admin: {host_url}/__admin/credentials  (all demo credentials)")
    return "\n".join(lines)


def serve(args: argparse.Namespace) -> int:
    from waitress.server import create_server

    from mockserver.app import create_app
    from mockserver.app import get_engine
    from mockserver.workers import check_workers

    started = time.perf_counter()
    settings = _settings(args, default_store="sqlite")
    check_workers(settings, args.workers)
    if args.workers > 1 and "MOCKSERVER_SHARED_RUNTIME" not in os.environ:
        settings = settings.replace(shared_runtime=True)  # one journal, meter, clock for all
    app = create_app(settings)
    if settings.shared_runtime:  # a new server starts on real time, as a single process does
        get_engine(app).clock.reset()
    if args.workers > 1:
        from mockserver import workers

        host_url = f"http://{args.host}:{args.port}"
        print(banner(app, host_url), flush=True)
        print(f"  store: {settings.store}, {args.workers} worker processes", flush=True)
        print(f"  ready in {time.perf_counter() - started:.2f}s (before fork)", flush=True)
        workers.run(app, args.host, args.port, args.workers, args.threads)
        return 0
    server = create_server(
        app, host=args.host, port=args.port, threads=args.threads, ident="mockserver"
    )
    host_url = f"http://{args.host}:{server.effective_port}"
    print(banner(app, host_url), flush=True)
    print(f"  store: {settings.store}", flush=True)
    print(f"  ready in {time.perf_counter() - started:.2f}s", flush=True)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
    finally:
        get_engine(app).close()  # with the shared runtime on, the flusher writes what it holds
    return 0


def seed(args: argparse.Namespace) -> int:
    """Fill a persistent store with a (large) deterministic data set, with a progress bar."""
    from mockserver.engine import MockEngine
    from mockserver.progress import ProgressBar

    settings = _settings(args, default_store="sqlite")
    if settings.store == "memory":
        print("error: seed writes a store that outlives it: use --store sqlite or redis")
        return 2
    engine = MockEngine(settings)
    only = frozenset(args.resource) if args.resource else None
    total = 0
    started = time.perf_counter()
    for api in engine.runtimes:
        bar = ProgressBar(engine.seeder(api).planned(settings.volume, only), api)
        counts = engine.seed([api], progress=bar.advance, only=only)
        bar.finish()
        total += sum(counts[api].values())
    elapsed = time.perf_counter() - started
    where = settings.redis_url if settings.store == "redis" else getattr(engine.store, "path", "")
    print(
        f"seeded {total:,} records in {elapsed:.1f}s ({total / elapsed:,.0f} records/s) "
        f"into {settings.store} {where}"
    )
    engine.store.close()
    return 0


def check_specs(args: argparse.Namespace) -> int:
    from mockserver import features  # noqa: F401
    from mockserver.spec.loader import load_spec

    paths = args.paths or sorted(Settings().specs_dir.glob("*.yaml"))
    failed = 0
    for path in paths:
        try:
            spec = load_spec(Path(path))
        except MockServerError as exc:
            failed += 1
            print(f"FAIL {path}: {exc}")
            continue
        print(f"OK   {path}: {len(spec.operations)} operations, {len(spec.resources)} resources")
    return 1 if failed else 0


def routes(args: argparse.Namespace) -> int:
    from mockserver.app import create_app

    app = create_app(_settings(args), seed=False)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        methods = ",".join(sorted(m for m in rule.methods or () if m not in ("HEAD", "OPTIONS")))
        print(f"{methods:8} {rule.rule}  ({rule.endpoint})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mockserver", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser("serve", help="serve every API on one port")
    _common(serve_parser)
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8080)
    serve_parser.add_argument("--threads", type=int, default=8, help="threads per process")
    serve_parser.add_argument(
        "--workers", type=int, default=1, help="processes (gunicorn); needs sqlite or redis"
    )
    serve_parser.add_argument(
        "--rate-limit",
        choices=["faithful", "off", "storm"],
        help="each vendor's limits (default), none, or 429 to every request",
    )
    serve_parser.add_argument(
        "--rate-limit-override",
        action="append",
        metavar="POLICY.NAME=N",
        help="custom numbers, e.g. burst.burst-capacity=5 or daily.limit=100",
    )
    serve_parser.add_argument(
        "--rate-limit-ietf", action="store_true", help="also send IETF RateLimit headers"
    )
    serve_parser.add_argument(
        "--rate-limit-temp-block",
        action="store_true",
        help="Robaws: answer 401 temp-blocked after repeated 429s",
    )
    serve_parser.add_argument(
        "--fault",
        action="append",
        metavar="[API[.OPERATION]:]NAME=VALUE,...",
        help="latency_ms, latency_sigma, error_rate, ratelimit_rate, drop_rate, seed",
    )
    serve_parser.add_argument(
        "--idempotency-ttl", type=int, help="seconds an Idempotency-Key is remembered (24 h)"
    )
    serve_parser.set_defaults(func=serve)

    seed_parser = commands.add_parser("seed", help="fill the store with a large data set")
    _common(seed_parser)
    seed_parser.add_argument(
        "--resource",
        action="append",
        help="apply --volume only to this resource (repeatable); others keep the spec's count",
    )
    seed_parser.set_defaults(func=seed)

    check_parser = commands.add_parser("check-specs", help="load and check the specs")
    check_parser.add_argument("paths", nargs="*", type=Path)
    check_parser.set_defaults(func=check_specs)

    routes_parser = commands.add_parser("routes", help="list every mounted route")
    _common(routes_parser)
    routes_parser.set_defaults(func=routes)

    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
    except MockServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
