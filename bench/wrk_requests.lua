-- Every request carries the bench user's bearer token. With a plan (a file of requests),
-- requests go round robin over it, each wrk thread starting at its own offset, so writes
-- spread over many rows instead of queueing on one.
local token = os.getenv("BENCH_TOKEN")
local plan_path = os.getenv("BENCH_PLAN")
local plan = {}

-- One request per line: METHOD<TAB>PATH<TAB>BODY (BODY may be empty), written by bench/harness.py.
local file = plan_path and io.open(plan_path, "r")
if file then
  for line in file:lines() do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t(.*)$")
    if method then plan[#plan + 1] = {method = method, path = path, body = body} end
  end
  file:close()
end

local counter = 0

function setup(thread)
  thread:set("offset", math.random(1, 100000))
end

function init(args)
  counter = offset or 0
end

function request()
  local headers = {["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json"}
  if #plan == 0 then
    return wrk.format("GET", nil, headers, nil)
  end
  counter = counter + 1
  local item = plan[(counter % #plan) + 1]
  if item.body ~= "" then
    headers["Content-Type"] = "application/json"
    return wrk.format(item.method, item.path, headers, item.body)
  end
  return wrk.format(item.method, item.path, headers, nil)
end
