-- wrk script: the article's request, a GET with {"job_id": N}, N new for every request and across
-- runs (the clock's seconds make the high digits), so that every request creates a job: Squall
-- never creates a second job for an id it already has.
local n = (os.time() % 100000) * 100000000
wrk.method = "GET"
wrk.headers["Content-Type"] = "application/json"
request = function()
    n = n + 1
    return wrk.format(nil, nil, nil, string.format('{"job_id": %.0f}', n))
end
