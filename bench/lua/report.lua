-- What every scenario prints when wrk is done: one line of JSON.
return function(summary, latency, requests)
  local errors = summary.errors
  local fields = {
    string.format('"requests": %d', summary.requests),
    string.format('"seconds": %.3f', summary.duration / 1e6),
    string.format('"p50_ms": %.2f', latency:percentile(50) / 1000),
    string.format('"p99_ms": %.2f', latency:percentile(99) / 1000),
    string.format('"not_2xx_3xx": %d', errors.status),
    string.format('"socket_errors": %d',
      errors.connect + errors.read + errors.write + errors.timeout),
  }
  io.write("RESULT {" .. table.concat(fields, ", ") .. "}\n")
end
