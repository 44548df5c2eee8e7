-- wrk: GET one patient's decision for one tool and purpose (what an EPR asks before running
-- a tool), a random NHS number from NUMBERS_FILE each request. Every request is formatted
-- once, in init (after wrk has set the Host header), so that wrk's own work per request
-- (which shares the machine's 2 cores with the portal) is a table lookup, as it is for the
-- bare endpoint's fixed request.
local requests = {}
math.randomseed(8)

init = function(args)
  local headers = { ["Authorization"] = "Bearer " .. os.getenv("TOKEN") }
  for line in io.lines(os.getenv("NUMBERS_FILE")) do
    requests[#requests + 1] = wrk.format("GET", "/api/v1/patients/" .. line .. "/ai-decisions?tool=bench-tool-0&purpose=care", headers)
  end
end

request = function()
  return requests[math.random(#requests)]
end
