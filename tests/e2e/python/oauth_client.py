"""The official Python MCP SDK (2.x) as an OAuth client, for tests/e2e/python.test.mjs.

    python oauth_client.py <mcp-url> <label>

Connects with `mcp.client.Client` in its default `auto` mode (it sends `server/discover` first
and adopts a 2026-07-28 era when the server offers it), signing in with the SDK's
`OAuthClientProvider`. The browser part is the test's: this script speaks JSON lines.

stdout, one JSON object a line:
  {"authorize": url}                 the SDK wants the browser sent there; the test answers on
                                     stdin with {"code": ..., "state": ..., "iss": ...}
  {"http": {...}}                    every HTTP exchange the SDK made (method, url, JSON-RPC
                                     method, MCP-Protocol-Version header, whether it carried a
                                     token, status, WWW-Authenticate, Mcp-Session-Id)
  {"connected": {...}}               the negotiated protocol version and server info
  {"tools": [names]}                 tools/list
  {"tool": name, "isError": ..., "text": ..., "structured": ...}   a tools/call result
  {"tool": name, "error": {...}}     a tools/call that raised (JSON-RPC error, HTTP error, ...)
  {"fatal": {...}}                   the connection itself failed
  {"done": true}                     the end
"""

from __future__ import annotations

import json
import sys
import traceback
from typing import Any

import anyio
import anyio.to_thread
import httpx2
from mcp.client import Client
from mcp.client.auth import OAuthClientProvider, TokenStorage
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken
from mcp.shared.exceptions import MCPError

CALLBACK = "http://127.0.0.1:9/callback"  # never contacted: the test reads the code from the redirect


def emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class MemoryStorage(TokenStorage):
    """Tokens and the registered client, in memory only."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


async def redirect_handler(url: str) -> None:
    emit({"authorize": url})


async def callback_handler() -> AuthorizationCodeResult:
    line = await anyio.to_thread.run_sync(sys.stdin.readline)
    if not line:
        raise RuntimeError("stdin closed before the authorization response arrived")
    answer = json.loads(line)
    return AuthorizationCodeResult(code=answer["code"], state=answer.get("state"), iss=answer.get("iss"))


def rpc_method(request: httpx2.Request) -> Any:
    try:
        body = json.loads(request.content) if request.content else None
    except (ValueError, httpx2.RequestNotRead):
        return None
    if isinstance(body, dict):
        return body.get("method")
    return None


async def on_response(response: httpx2.Response) -> None:
    request = response.request
    emit({"http": {
        "method": request.method,
        "url": str(request.url.copy_with(query=None)),
        "rpc": rpc_method(request) if request.method == "POST" else None,
        "protocolVersion": request.headers.get("mcp-protocol-version"),
        "authorized": "authorization" in request.headers,
        "status": response.status_code,
        "wwwAuthenticate": response.headers.get("www-authenticate"),
        "sessionId": response.headers.get("mcp-session-id"),
    }})


def describe(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, MCPError):
        return {"kind": "jsonrpc", "code": exc.code, "message": exc.message, "data": exc.data}
    if isinstance(exc, httpx2.HTTPStatusError):
        return {"kind": "http", "status": exc.response.status_code, "message": str(exc)}
    if isinstance(exc, BaseExceptionGroup):
        return {"kind": "group", "message": str(exc), "exceptions": [describe(e) for e in exc.exceptions]}
    return {"kind": "exception", "type": type(exc).__name__, "message": str(exc),
            "traceback": "".join(traceback.format_exception(exc))[-4000:]}


async def call(client: Client, name: str, arguments: dict[str, Any]) -> None:
    try:
        result = await client.call_tool(name, arguments)
    except Exception as exc:  # reported, not raised: the test judges it
        emit({"tool": name, "error": describe(exc)})
        return
    text = "\n".join(block.text for block in result.content if getattr(block, "type", None) == "text")
    emit({"tool": name, "isError": result.is_error, "text": text, "structured": result.structured_content})


async def main(url: str, label: str, document_id: str) -> None:
    provider = OAuthClientProvider(
        server_url=url,
        client_metadata=OAuthClientMetadata(
            client_name=f"e2e-python-{label}",
            redirect_uris=[CALLBACK],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage=MemoryStorage(),
        redirect_handler=redirect_handler,
        callback_handler=callback_handler,
    )
    http_client = create_mcp_http_client(auth=provider)
    http_client.event_hooks["response"].append(on_response)
    async with http_client:
        try:
            # The default mode: "auto".
            async with Client(streamable_http_client(url, http_client=http_client)) as client:
                info = client.server_info
                emit({"connected": {
                    "protocolVersion": client.session.protocol_version,
                    "discovered": client.session.discover_result is not None,
                    "serverInfo": info.model_dump(mode="json") if info else None,
                }})
                try:
                    listed = await client.list_tools()
                    emit({"tools": [tool.name for tool in listed.tools]})
                except Exception as exc:
                    emit({"tools": None, "error": describe(exc)})
                await call(client, "get-user-info", {})
                await call(client, "list-documents", {})
                await call(client, "delete-document", {"documentId": document_id})
        except Exception as exc:
            emit({"fatal": describe(exc)})
    emit({"done": True})


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: oauth_client.py <mcp-url> <label> [document-id]")
    anyio.run(main, sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else "doc-1")
