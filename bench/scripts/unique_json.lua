-- wrk script: the article's request, a GET with {"job_id": N}, N new for every request, so that each
-- request creates a job (Squall never creates a second job for an id it already has).
local n = 0
wrk.method = "GET"
wrk.headers["Content-Type"] = "application/json"
request = function()
    n = n + 1
    return wrk.format(nil, nil, nil, '{"job_id": ' .. n .. '}')
end
