"""``nemo studio``: make videos in a web page, on the backend the other commands use."""

from __future__ import annotations

import argparse

from nemo_cli.backend import open_backend
from nemo_cli.exit_codes import ExitCode
from nemo_cli.options import CommandParsers, CommonOptions
from nemo_cli.output import Output

NAME = "studio"
SIGTERM_STOPS = True


def add_parser(commands: CommandParsers) -> None:
    parser = commands.add(NAME, "make videos in a web page: a local studio for your browser")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    parser.add_argument("--port", type=int, default=8770)
    parser.add_argument("--open", action="store_true", help="open the page in a browser")


def run(args: argparse.Namespace, options: CommonOptions, output: Output) -> ExitCode:
    """The web studio, on the same backend the other commands use; the token stays here."""
    from nemo_studio.app import StudioConfig
    from nemo_studio.serve import serve as serve_studio

    with open_backend(options.api, options.home) as backend:
        token = options.token if not backend.embedded else None
        config = StudioConfig(
            base_url=backend.url, home=options.home, token=token, host=args.host,
            language=options.language,
        )  # fmt: skip
        where = "the embedded fake backend" if backend.embedded else backend.url
        host = f"[{args.host}]" if ":" in args.host else args.host
        output.message("notice", f"nemo studio on http://{host}:{args.port}/ (using {where})", {})
        serve_studio(config, port=args.port, open_browser=args.open)
    return ExitCode.OK
