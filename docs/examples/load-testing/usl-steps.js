// A closed-model step test for the Universal Scalability Law: N virtual users
// with no think time keep exactly N requests in flight, held at each level
// long enough to measure a steady throughput X(N).
//
//   k6 run -e BASE_URL=https://staging.example.com --out json=steps.json usl-steps.js
//   python -m perfcalc analyze steps.json
//
// Each level is reached in 10 s and held for HOLD; the analysis drops the
// first quarter of each step (new VUs, warming caches) and reports the
// throughput of every level, which is what the usl-fit calculator takes.
import http from 'k6/http';
import { check } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://localhost:8000';
const PATH = __ENV.PATH_UNDER_TEST || '/';
const LEVELS = (__ENV.LEVELS || '1,2,4,8,16,24,32,48').split(',').map(Number);
const HOLD = __ENV.HOLD || '3m';

const stages = [];
for (const users of LEVELS) {
  stages.push({ duration: '10s', target: users });
  stages.push({ duration: HOLD, target: users });
}

export const options = {
  discardResponseBodies: true,
  scenarios: {
    steps: {
      executor: 'ramping-vus',
      startVUs: LEVELS[0],
      stages,
      gracefulRampDown: '0s',
    },
  },
  // Stop when the service is plainly broken: past that, X(N) is not a
  // throughput of the system you are modelling.
  thresholds: {
    http_req_failed: [{ threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '30s' }],
  },
};

// No sleep(): think time would make the requests in flight fewer than N.
export default function () {
  const res = http.get(`${BASE_URL}${PATH}`, { tags: { name: 'step' } });
  check(res, { 'status < 400': (r) => r.status < 400 });
}
