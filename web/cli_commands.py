"""``mediaops serve`` (web UI + API with an embedded worker) and ``mediaops user`` (accounts).

Flask, the job system and the web tables are imported inside the handlers, so that ``mediaops --help`` and
the library never import them.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser("serve", help="web UI and API, with an embedded worker (one machine)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--no-worker", action="store_true",
                       help="do not start the embedded worker (run `mediaops worker` processes instead)")
    serve.set_defaults(handler=_serve)

    user = subparsers.add_parser("user", help="add web users or reset their passwords")
    actions = user.add_subparsers(dest="user_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a user (password from --password-stdin, a prompt, or generated)")
    add.add_argument("username")
    add.add_argument("--role", choices=("admin", "operator", "viewer"), default="operator")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(handler=_user_add)
    passwd = actions.add_parser(
        "passwd", help="set a user's new password (from --password-stdin, a prompt, or generated) and sign them "
                       "out everywhere; also lifts a sign-in lock")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    passwd.set_defaults(handler=_user_passwd)


def _read_password(args: argparse.Namespace) -> tuple[str, bool]:
    """The new password and whether it was generated (and must be printed)."""
    import secrets

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if first != getpass.getpass("again: "):
            from mediaops.errors import MediaOpsError

            raise MediaOpsError("the two passwords differ; run the command again")
        return first, False
    return secrets.token_urlsafe(12), True


def _user_sessions():
    """A session factory on the configured job database (storage folder created if missing)."""
    from web.models import make_session_factory
    from workers.config import Settings

    settings = Settings.from_env()
    settings.storage_root.mkdir(parents=True, exist_ok=True)
    return make_session_factory(settings.database_url)[1]


def _user_add(args: argparse.Namespace) -> int:
    from mediaops.errors import MediaOpsError
    from web.auth import AccountError, create_user

    password, generated = _read_password(args)
    with _user_sessions()() as session:
        try:
            create_user(session, args.username, password, args.role)
        except AccountError as exc:
            raise MediaOpsError(str(exc)) from exc
    print(f"user {args.username} ({args.role}) added" + (f"; password: {password}" if generated else ""))
    return 0


def _user_passwd(args: argparse.Namespace) -> int:
    from mediaops.errors import MediaOpsError
    from web.auth import AccountError, find_user, set_password

    with _user_sessions()() as session:
        try:
            user = find_user(session, args.username)
            password, generated = _read_password(args)
            set_password(session, user, password)
        except AccountError as exc:
            raise MediaOpsError(str(exc)) from exc
    print(f"new password set for {user.username}; their sessions were ended"
          + (f"; password: {password}" if generated else ""))
    return 0


def _serve(args: argparse.Namespace) -> int:
    from web import create_app
    from web.auth import ensure_admin
    from web.uploads import expire_uploads
    from workers.config import Settings

    settings = Settings.from_env()
    app = create_app({"MEDIAOPS_SETTINGS": settings})
    with app.extensions["mediaops_db"]() as session:
        generated = ensure_admin(session, os.environ.get("MEDIAOPS_ADMIN_PASSWORD"))
        expire_uploads(session, settings.storage_root / "uploads", app.config["UPLOAD_EXPIRY_S"])
    if generated:
        print(f"created user 'admin' with password {generated} (shown once; change it under Account, or with "
              "`mediaops user passwd admin`)", flush=True)
    from workers.embedded import serve_beside_worker

    def serve() -> None:
        print(f"MediaOps on http://{args.host}:{args.port}/ (storage {settings.storage_root})", flush=True)
        app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)

    # SIGTERM (systemd, docker, `timeout`) and SIGINT stop the server and its worker (own process group) in 5 s
    code = serve_beside_worker(settings, serve, with_worker=not args.no_worker)
    # Both have stopped; Python's own teardown of every library loaded takes another second or two on a busy
    # machine, which would push a stop past the 5 s that service managers are promised: flush and end here.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
