-- wrk script: the article's request, a GET with the JSON body {"job_id": 1} (wrk adds Content-Length).
wrk.method = "GET"
wrk.body = '{"job_id": 1}'
wrk.headers["Content-Type"] = "application/json"
