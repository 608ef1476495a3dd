// An open-model load test: k6 starts RATE requests a second whatever the
// responses do, and fails (exit code 99) if a threshold is crossed.
//
//   k6 run -e BASE_URL=https://staging.example.com -e RATE=480 -e VUS=150 \
//          -e PATHS_FILE=paths.txt --out json=results.json constant-rate.js
//
// VUS: requests in flight at the slowest response time you accept, with
// headroom (the load-test calculator's open-model figure uses the mean).
// PATHS_FILE: one URL path per line, sampled from a production access log in
// proportion to real traffic, so hot and cold keys repeat as they do there
// and the cache hit ratio under test is the one you will get.
import http from 'k6/http';
import { check } from 'k6';
import { SharedArray } from 'k6/data';

const BASE_URL = __ENV.BASE_URL || 'http://localhost:8000';
const RATE = Number(__ENV.RATE || 480);
const VUS = Number(__ENV.VUS || 150);

const paths = __ENV.PATHS_FILE
  ? new SharedArray('paths', () => open(__ENV.PATHS_FILE).split('\n').filter((line) => line.trim() !== ''))
  : ['/'];

export const options = {
  discardResponseBodies: true,
  scenarios: {
    steady: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: __ENV.DURATION || '30m',
      preAllocatedVUs: VUS,
      maxVUs: VUS * 2,
    },
  },
  thresholds: {
    // The SLO at this rate, from successful responses only.
    'http_req_duration{expected_response:true}': ['p(95)<150', 'p(99)<300'],
    http_req_failed: ['rate<0.01'],
    // No VU was free: a request was due and never sent. Its latency is
    // missing from the percentiles above, so the run proves nothing.
    dropped_iterations: ['count==0'],
  },
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

// One request per iteration: only the first request of an iteration starts
// on schedule; requests after it in the same iteration wait for it, which is
// a closed loop again.
export default function () {
  const path = paths[Math.floor(Math.random() * paths.length)];
  // One metric name for every path, or k6 keeps a series per URL.
  const res = http.get(`${BASE_URL}${path}`, { tags: { name: 'sampled' } });
  check(res, { 'status < 400': (r) => r.status < 400 });
}
