-- wrk: GET one patient's decision for one tool and purpose (what an EPR asks before running
-- a tool), a random NHS number from NUMBERS_FILE each request.
local numbers = {}
for line in io.lines(os.getenv("NUMBERS_FILE")) do numbers[#numbers + 1] = line end
local headers = { ["Authorization"] = "Bearer " .. os.getenv("TOKEN") }
math.randomseed(8)

request = function()
  local number = numbers[math.random(#numbers)]
  return wrk.format("GET", "/api/v1/patients/" .. number .. "/ai-decisions?tool=bench-tool-0&purpose=care", headers)
end
