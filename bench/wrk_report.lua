-- Prints machine-readable figures at the end of a wrk run (wrk has no p95 of its own).
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
               + summary.errors.status + summary.errors.timeout
  io.write(string.format("WRK requests=%d duration_us=%d errors=%d non2xx=%d "
                         .. "p50_us=%d p95_us=%d p99_us=%d\n",
                         summary.requests, summary.duration, errors, summary.errors.status,
                         latency:percentile(50), latency:percentile(95),
                         latency:percentile(99)))
end
