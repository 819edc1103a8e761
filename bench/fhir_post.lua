-- wrk script for the FHIR endpoint measurements (bench/run.sh): POSTs a DiagnosticReport read
-- from $FHIR_BODY with Content-Type $FHIR_CONTENT_TYPE to the URL's path. Every request gets a
-- unique resource id (the template's "mri-lspine-1" is replaced), so explainerd stores each one
-- instead of answering a repeat with 200. done() prints one JSON line with the figures.
local body_template
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
end

function init(args)
  local f = assert(io.open(os.getenv("FHIR_BODY"), "rb"))
  body_template = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = os.getenv("FHIR_CONTENT_TYPE") or "application/fhir+json"
  wrk.headers["Accept"] = wrk.headers["Content-Type"]
  counter = 0
end

function request()
  counter = counter + 1
  local id = string.format("bench-%d-%d", tid, counter)
  local body = body_template:gsub("mri%-lspine%-1", id)
  return wrk.format(nil, nil, nil, body)
end

status_counts = {}
function response(status, headers, body)
  status_counts[status] = (status_counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.3f, "p90_ms": %.3f, ' ..
    '"p99_ms": %.3f, "max_ms": %.3f, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
