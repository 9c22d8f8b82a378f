"""``planner serve``: the web app on this computer, or on the network with a password."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Annotated

import typer

from planner.cli.common import Lang, Verbose, check_lang, err, fail, out, setup_logging
from planner.web.security import is_loopback

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
PASSWORD_ENV = "PLANNER_PASSWORD"


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host.strip("[]"), port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise fail(
                    f"port {port} on {host} is already in use; choose another with --port.", 2
                ) from None
            raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}.", 2) from None


def serve_cmd(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. The default serves this computer only; any other "
            "address needs a password.",
        ),
    ] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = (DEFAULT_PORT),
    data: Annotated[
        Path,
        typer.Option("--data", help="Folder of the campaigns (one sub-folder each)."),
    ] = Path("campaigns"),
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            envvar=PASSWORD_ENV,
            show_envvar=True,
            help="Password every page and download asks for (better given in the "
            f"environment variable {PASSWORD_ENV}, which other users cannot see).",
        ),
    ] = None,
    max_upload_mb: Annotated[
        float, typer.Option("--max-upload-mb", min=1, help="Largest upload, in MiB.")
    ] = 100.0,
    lang: Lang = "vi",
    verbose: Verbose = False,
) -> None:
    """Start the web app: campaigns in forms, plans with progress, map and sheets."""
    setup_logging(verbose)
    check_lang(lang)
    if not is_loopback(host) and not password:
        raise fail(
            f"serving on {host} makes the app reachable from other computers, so it needs "
            f"a password: give --password or set the environment variable {PASSWORD_ENV}. "
            f"Without one, serve on {DEFAULT_HOST} (the default).",
            2,
        )
    _check_port(host, port)
    import uvicorn

    from planner.web.app import create_app

    try:
        web_app = create_app(data, password, max_upload_mb, lang=lang, host=host, port=port)
    except OSError as exc:
        raise fail(f"cannot use the data folder {data}: {exc}") from None
    shown = f"[{host}]" if ":" in host else host
    out.print(f"Planner: http://{shown}:{port}/  (data: {data.resolve()})", highlight=False)
    err.print("Press Ctrl+C to stop.", highlight=False)
    uvicorn.run(
        web_app, host=host.strip("[]"), port=port, log_level="info" if verbose else "warning"
    )


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``planner`` command."""
    app.command("serve")(serve_cmd)
