-- Narrators: each request posts a new story through the share form, with its
-- own title and one-time submission id. The form's fields, CSRF token and
-- cookie come from the files named by the arguments (bench/mixed_load.py
-- fetched them). Acknowledgements (the redirect to the thank-you page) are
-- counted per thread; done() adds them up.
local threads, body_template, cookie = {}, nil, nil
local run = nil
-- Globals, so that done() can read them from each thread with thread:get().
sent, acknowledged = 0, 0

function setup(thread)
  thread:set("number", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  run = args[1]
  body_template = io.open(args[2]):read("*a")
  cookie = io.open(args[3]):read("*a")
end

function request()
  sent = sent + 1
  local title = string.format("%s-%d-%d", run, number, sent)
  local body = body_template:gsub("__TITLE__", title)
  return wrk.format("POST", "/share/", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
  }, body)
end

function response(status, headers, body)
  if status == 302 and headers["Location"] == "/share/thanks/" then
    acknowledged = acknowledged + 1
  end
end

local report = dofile(os.getenv("LUA_DIR") .. "/report.lua")

function done(summary, latency, requests)
  local total_sent, total_acknowledged = 0, 0
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
    total_acknowledged = total_acknowledged + thread:get("acknowledged")
  end
  report(summary, latency, requests, {sent = total_sent, acknowledged = total_acknowledged})
end
