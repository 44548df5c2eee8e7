-- wrk: GET one patient's decision for one tool and purpose (what an EPR asks before running
-- a tool), a random NHS number from NUMBERS_FILE each request. Every request is formatted
-- once, at start, so that wrk's own work per request (which shares the machine's 2 cores
-- with the portal) is a table lookup, as it is for the bare endpoint's fixed request.
local requests = {}
local headers = { ["Authorization"] = "Bearer " .. os.getenv("TOKEN") }
for line in io.lines(os.getenv("NUMBERS_FILE")) do
  requests[#requests + 1] = wrk.format("GET", "/api/v1/patients/" .. line .. "/ai-decisions?tool=bench-tool-0&purpose=care", headers)
end
math.randomseed(8)

request = function()
  return requests[math.random(#requests)]
end
