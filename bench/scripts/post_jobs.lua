-- wrk script: POST /jobs with a no-op job (echo of an empty payload) and a new id every request,
-- unique across runs and across wrk processes (the clock's seconds and WRK_LANE make the high digits).
local lane = tonumber(os.getenv("WRK_LANE") or "0")
local n = ((os.time() % 100000) * 10 + lane) * 10000000
wrk.method = "POST"
wrk.path = "/jobs"
wrk.headers["Content-Type"] = "application/json"
request = function()
    n = n + 1
    return wrk.format(nil, "/jobs", nil, string.format('{"id": "b%.0f", "kind": "echo", "payload": {}}', n))
end
