-- Runs docs/examples/embedding/explainer.lua under LuaJIT: enriches each FILE and writes what
-- the host would deliver to OUTDIR/<n>.out.  usage: luajit lua_host.lua CONFIG OUTDIR FILE...
local config, outdir = arg[1], arg[2]
local explainer = require 'explainer'
local engine = assert(explainer.open(config))
assert(explainer.open('/nonexistent.properties') == nil, 'a bad config path must fail')
for i = 3, #arg do
  local f = assert(io.open(arg[i], 'rb'))
  local message = f:read('*a')
  f:close()
  local out, summary = engine:enrich(message)
  assert(summary:find('"format"'), 'summary')
  local o = assert(io.open(outdir .. '/' .. (i - 2) .. '.out', 'wb'))
  o:write(out)
  o:close()
end
-- Fail open: garbage comes back unchanged.
assert(engine:enrich('garbage') == 'garbage')
assert(engine:reload())
