-- wrk: redeem each code of $CODES_FILE ("client_id code" lines) once at /token, then replay
-- codes already redeemed. Counts 200s (each code's one redemption), 400s (replays) and
-- anything else, so that the run proves single use as well as measuring it.
local codes = {}
for line in io.lines(os.getenv("CODES_FILE")) do
  local client, code = line:match("^(%S+) (%S+)$")
  if client then table.insert(codes, { client, code }) end
end
local verifier = "bench-verifier-bench-verifier-bench-verifier-0123456789"
local redirect = "http%3A%2F%2F127.0.0.1%3A9%2Fcallback"
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded", ["Accept"] = "application/json" }
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  n, ok, replayed, other = 0, 0, 0, 0
end
function request()
  n = n + 1
  local pick = codes[((n - 1) % #codes) + 1]
  local body = "grant_type=authorization_code&client_id=" .. pick[1] .. "&code=" .. pick[2]
    .. "&code_verifier=" .. verifier .. "&redirect_uri=" .. redirect
  return wrk.format("POST", "/token", headers, body)
end
function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  elseif status == 400 and body:find("invalid_grant", 1, true) then
    replayed = replayed + 1
  else
    other = other + 1
  end
  if ok + replayed + other >= #codes then
    wrk.thread:stop()
  end
end
function done(summary, latency, requests)
  local t = threads[1]
  io.write(string.format("codes: %d\nredeemed: %d\nreplays refused: %d\nother: %d\n",
    #codes, t:get("ok"), t:get("replayed"), t:get("other")))
end
