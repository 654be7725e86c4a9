-- wrk: alternate an allowed call (echo) and a denied one (purge) with the same token, and
-- check every answer: allowed ones echo, denied ones are "Forbidden: requires admin".
local allowed = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}'
local denied = '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"purge","arguments":{"message":"everything"}}}'
local headers = {
  ["Content-Type"] = "application/json",
  ["Accept"] = "application/json, text/event-stream",
  ["Authorization"] = "Bearer " .. os.getenv("TOKEN"),
}
local n = 0
function request()
  n = n + 1
  if n % 2 == 0 then
    return wrk.format("POST", "/mcp", headers, denied)
  end
  return wrk.format("POST", "/mcp", headers, allowed)
end

-- Counters live in each thread's Lua state; done() runs in another and collects them.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  ok, forbidden, wrong, server_errors = 0, 0, 0, 0
end

function response(status, headers, body)
  if status >= 500 then
    server_errors = server_errors + 1
  elseif status ~= 200 then
    wrong = wrong + 1
  elseif string.find(body, '"id":2', 1, true) then
    if string.find(body, 'Forbidden: requires admin', 1, true) and string.find(body, '"isError":true', 1, true) then
      forbidden = forbidden + 1
    else
      wrong = wrong + 1
    end
  elseif string.find(body, '"text":"hello"', 1, true) and not string.find(body, 'isError', 1, true) then
    ok = ok + 1
  else
    wrong = wrong + 1
  end
end

function done(summary, latency, requests)
  local ok, forbidden, wrong, server_errors = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("ok")
    forbidden = forbidden + thread:get("forbidden")
    wrong = wrong + thread:get("wrong")
    server_errors = server_errors + thread:get("server_errors")
  end
  io.write(string.format("allowed-ok: %d\ndenied-forbidden: %d\nwrong: %d\n5xx: %d\n", ok, forbidden, wrong, server_errors))
  io.write(string.format("socket-errors: connect %d, read %d, write %d, timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
