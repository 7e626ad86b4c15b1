-- Readers: each request asks for the next address of a list (one per line in
-- the file named by the first argument), each thread starting at its own place.
local paths, position = {}, 0

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  position = math.random(#paths)
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end

done = dofile(os.getenv("LUA_DIR") .. "/report.lua")
