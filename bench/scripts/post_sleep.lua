-- wrk script: the issue's POST /jobs body, {"kind": "sleep", "payload": {"sleep_ms": 0}}, without an
-- id (the server makes one), with a bearer token from SQUALL_TOKEN when set.
wrk.method = "POST"
wrk.path = "/jobs"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("SQUALL_TOKEN")
if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
end
wrk.body = '{"kind": "sleep", "payload": {"sleep_ms": 0}}'
