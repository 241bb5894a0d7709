-- wrk script of bench/api.py: random requests from a file, one per line, tab-separated:
--   GET<TAB>path[<TAB>etag]      (an etag becomes If-None-Match)
--   POST<TAB>path<TAB>json-body
-- Usage: wrk ... -s bench/wrk_requests.lua URL -- REQUESTS_FILE [SEED]
local requests = {}

function init(args)
  for line in io.lines(args[1]) do
    local method, path, extra = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    local headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end  -- the -H headers (Authorization)
    local body = nil
    if method == "POST" then
      headers["Content-Type"] = "application/json"
      body = extra
    elseif extra ~= "" then
      headers["If-None-Match"] = extra
    end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
  math.randomseed(tonumber(args[2] or "7"))
end

function request()
  return requests[math.random(#requests)]
end
