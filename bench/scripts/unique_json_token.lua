-- wrk script: the seed route's request (a GET with {"job_id": N}, N new every request), with a
-- bearer token from SQUALL_TOKEN when set.
local n = (os.time() % 100000) * 100000000
wrk.method = "GET"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("SQUALL_TOKEN")
if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
end
request = function()
    n = n + 1
    return wrk.format(nil, nil, nil, string.format('{"job_id": %.0f}', n))
end
