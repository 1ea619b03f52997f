# Real counterparts for `warden discover`'s network tests, from the official
# SDKs in the test venv: an A2A agent card served by a2a-sdk's own route
# (with or without a security scheme, at the A2A 1.0 path or the older
# agent.json), a page that is HTML where a card should be, and an MCP server
# of the mcp SDK over streamable HTTP with two tools, or over stdio with one.
# Over HTTP it binds a free loopback port itself and prints `PORT=N` once it
# listens.
import socket
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

mode = sys.argv[1]
if mode == "mcp-stdio":
    # Started by `warden discover --probe-stdio` itself, from a config.
    from mcp.server.mcpserver import MCPServer
    server = MCPServer("stdio-tools")

    @server.tool()
    def read_notes(topic: str) -> str:
        """Read the notes on a topic."""
        return topic

    server.run("stdio")
    sys.exit(0)

sock = socket.socket()
sock.bind(("127.0.0.1", 0))
port = sock.getsockname()[1]

if mode in ("card-auth", "card-old-noauth"):
    from a2a.server.routes.agent_card_routes import create_agent_card_routes
    from a2a.types.a2a_pb2 import (AgentCapabilities, AgentCard, AgentInterface, AgentProvider,
                                   AgentSkill, HTTPAuthSecurityScheme, SecurityScheme)
    secured = mode == "card-auth"
    card = AgentCard(
        name="Invoice agent" if secured else "Open helper",
        description="Reads and refunds invoices",
        version="1.4.0",
        supported_interfaces=[AgentInterface(url=f"http://127.0.0.1:{port}/a2a",
                                             protocol_binding="JSONRPC", protocol_version="1.0")],
        provider=AgentProvider(organization="Finance", url="https://finance.example"),
        capabilities=AgentCapabilities(streaming=True),
        default_input_modes=["text/plain"],
        default_output_modes=["text/plain"],
        skills=[AgentSkill(id="read", name="Read invoices", description="Reads", tags=["finance"]),
                AgentSkill(id="refund", name="Refund", description="Refunds", tags=["finance"])],
        security_schemes={"bearer": SecurityScheme(
            http_auth_security_scheme=HTTPAuthSecurityScheme(scheme="Bearer"))} if secured else {},
    )
    path = "/.well-known/agent-card.json" if secured else "/.well-known/agent.json"
    app = Starlette(routes=create_agent_card_routes(card, card_url=path))
elif mode == "html":
    async def page(request):
        return HTMLResponse("<!doctype html><html><body>Sign in</body></html>")
    app = Starlette(routes=[Route("/.well-known/agent-card.json", page)])
elif mode == "mcp":
    from mcp.server.mcpserver import MCPServer
    server = MCPServer("invoice-tools")

    @server.tool()
    def lookup_invoice(number: str) -> str:
        """Find an invoice by number."""
        return number

    @server.tool()
    def refund(number: str, amount: float) -> str:
        """Refund an invoice."""
        return "ok"

    app = server.streamable_http_app()
else:
    sys.exit(f"unknown mode {mode}")

print(f"PORT={port}", flush=True)
uvicorn.run(app, fd=sock.fileno(), log_level="warning")
