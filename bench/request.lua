-- One request shape for every wrk case, so no case needs its own script:
--   wrk ... -s bench/request.lua URL -- METHOD BODY [HEADER: value ...]
-- BODY may be empty. A "{n}" in BODY becomes "<thread>-<count>" per request (distinct usernames
-- for the create-user case). Each thread counts the answers that are not 2xx and keeps the first
-- one's status and start of body; done() prints them as "bench-..." lines that bench/wrk.py
-- reads, because wrk itself counts a 3xx as a success and says nothing about what failed.

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  method = args[1]
  body = args[2]
  if body == "" then body = nil end
  headers = {}
  for i = 3, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  numbered = body ~= nil and body:find("{n}", 1, true) ~= nil
  fixed = wrk.format(method, nil, headers, body)
  count = 0
  non2xx = 0
  first_failure = ""
end

function request()
  if not numbered then return fixed end
  count = count + 1
  local unique = body:gsub("{n}", id .. "-" .. count)
  return wrk.format(method, nil, headers, unique)
end

function response(status, _, answer)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_failure == "" then
      first_failure = status .. " " .. (answer or ""):sub(1, 200):gsub("%s+", " ")
    end
  end
end

function done()
  local total, failure = 0, ""
  for _, thread in ipairs(threads) do
    total = total + thread:get("non2xx")
    if failure == "" then failure = thread:get("first_failure") end
  end
  io.write("bench-non2xx ", total, "\n")
  io.write("bench-first-failure ", failure, "\n")
end
