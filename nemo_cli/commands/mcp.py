"""``nemo mcp``: the toolkit as an MCP server, so AI assistants make videos through it.

Over the same backends and store as every command (the embedded fake by default,
``--api``, the real API with ``NEMO_TOKEN``); stdio by default, ``--http PORT`` for
the streamable HTTP transport on 127.0.0.1. The tools are in ``nemo_mcp``.
"""

from __future__ import annotations

import argparse
import sys

from nemo_cli.backend import open_backend
from nemo_cli.exit_codes import ExitCode
from nemo_cli.ladder import UsageError
from nemo_cli.options import CommandParsers, CommonOptions
from nemo_cli.output import Output

NAME = "mcp"
SIGTERM_STOPS = True


def add_parser(commands: CommandParsers) -> None:
    parser = commands.add(NAME, "serve the toolkit to AI assistants over MCP (see docs/mcp.md)")
    parser.add_argument(
        "--http",
        type=int,
        default=None,
        metavar="PORT",
        help="the streamable HTTP transport on 127.0.0.1:PORT (default: stdio)",
    )


def run(args: argparse.Namespace, options: CommonOptions, output: Output) -> ExitCode:
    if options.record is not None or options.replay is not None:
        raise UsageError("nemo mcp talks to a server: --record and --replay are not for it.")
    port: int | None = args.http
    if port is not None and not 0 < port <= 65535:
        raise UsageError(f"--http {port} is not a port number (1 to 65535).")
    try:
        from nemo_mcp.server import run as serve
    except ImportError:  # the SDK is an extra
        output.error("nemo mcp needs the MCP SDK: pip install 'nemo-toolkit[mcp]'.")
        return ExitCode.FAILED
    with open_backend(options.api, options.home) as backend:
        if port is not None:  # stdout is the protocol on stdio: say nothing there
            print(f"Serving MCP on http://127.0.0.1:{port}/mcp", file=sys.stderr, flush=True)
        serve(backend, options.home, language=options.language, token=options.token, http_port=port)
    return ExitCode.OK
