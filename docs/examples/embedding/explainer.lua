-- Explainer for Lua hosts through LuaJIT's FFI (LuaJIT, OpenResty, and Iguana where its Lua
-- runtime provides the `ffi` module; see docs/EMBEDDING.md otherwise). Usage:
--   local explainer = require 'explainer'
--   local engine = assert(explainer.open('/etc/explainer/explainerd.properties'))
--   local out, summary_json = engine:enrich(message)     -- never raises for a bad message
--   -- out is the message to deliver: enriched, or `message` itself when enrichment failed
local ffi = require 'ffi'

ffi.cdef [[
typedef struct explainer_engine explainer_engine;
typedef struct explainer_result explainer_result;
int explainer_abi_version(void);
const char* explainer_last_error(void);
int explainer_engine_create(const char* config_path, explainer_engine** engine_out);
int explainer_engine_reload(explainer_engine* engine);
void explainer_engine_destroy(explainer_engine* engine);
int explainer_enrich(explainer_engine* engine, const char* data, size_t size, int format,
                     unsigned flags, explainer_result** result_out);
const char* explainer_result_error(const explainer_result* result);
const char* explainer_result_data(const explainer_result* result, size_t* size);
int explainer_result_enriched(const explainer_result* result);
const char* explainer_result_summary(const explainer_result* result);
void explainer_result_free(explainer_result* result);
]]

-- EXPLAINER_LIBRARY may name the file (e.g. a build tree); else the loader's search path.
local lib = ffi.load(os.getenv('EXPLAINER_LIBRARY') or 'explainer')
assert(lib.explainer_abi_version() == 1, 'libexplainer ABI 1 expected')

local Engine = {}
Engine.__index = Engine

local M = {}

-- Returns an engine, or nil and the reason.
function M.open(config_path)
  local out = ffi.new('explainer_engine*[1]')
  if lib.explainer_engine_create(config_path, out) ~= 0 then
    return nil, ffi.string(lib.explainer_last_error())
  end
  -- The engine is destroyed when the Lua object is collected.
  return setmetatable({ handle = ffi.gc(out[0], lib.explainer_engine_destroy) }, Engine)
end

-- Returns the message to deliver, the JSON summary, and true when explanations were attached.
-- Fail open: when the message cannot be enriched the input itself comes back (and the summary
-- says why).
function Engine:enrich(message, format, flags)
  local result = ffi.new('explainer_result*[1]')
  local status = lib.explainer_enrich(self.handle, message, #message, format or 0, flags or 0, result)
  local r = result[0]
  if r == nil then return message, '{"ok":false}', false end
  local summary = ffi.string(lib.explainer_result_summary(r))
  local out, enriched = message, false
  if status == 0 then
    local size = ffi.new('size_t[1]')
    local data = lib.explainer_result_data(r, size)
    out = ffi.string(data, size[0])
    enriched = lib.explainer_result_enriched(r) == 1
  end
  lib.explainer_result_free(r)
  return out, summary, enriched
end

-- Reloads mappings and content; true, or nil and the reason.
function Engine:reload()
  if lib.explainer_engine_reload(self.handle) ~= 0 then
    return nil, ffi.string(lib.explainer_last_error())
  end
  return true
end

return M
