-- wrk script: POST /jobs of a job due in an hour ({"kind": "sleep", "payload": {"sleep_ms": 0},
-- "delay": "1h"}): intake of jobs scheduled for later, which wait in the store and run nothing
-- during the run. With a bearer token from SQUALL_TOKEN when set.
wrk.method = "POST"
wrk.path = "/jobs"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("SQUALL_TOKEN")
if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
end
wrk.body = '{"kind": "sleep", "payload": {"sleep_ms": 0}, "delay": "1h"}'
