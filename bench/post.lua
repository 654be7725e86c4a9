-- wrk: POST one JSON-RPC tools/call of `echo`, with the bearer token from $TOKEN if set.
-- MCP=2026-07-28 sends it as a 2026-07-28 client does: no session, the protocol version and
-- client capabilities in `_meta`, mirrored by the headers.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
if os.getenv("MCP") == "2026-07-28" then
  wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"},'
    .. '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},'
    .. '"io.modelcontextprotocol/clientInfo":{"name":"wrk","version":"1"}}}}'
  wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
  wrk.headers["Mcp-Method"] = "tools/call"
  wrk.headers["Mcp-Name"] = "echo"
else
  wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}'
  wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
end
local session = os.getenv("SESSION")
if session ~= nil and session ~= "" then
  wrk.headers["Mcp-Session-Id"] = session
end
local token = os.getenv("TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

-- Count answers that are not 200, so that a benchmark of errors is never mistaken for one of
-- answers. Counters live in each thread's Lua state; done() runs in another and collects them.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  errors = 0
end
function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("errors")
  end
  io.write(string.format("non-200: %d\n", total))
end
