/**
 * A counting node:http target in a process of its own (for bench/http-connector.bench.ts): prints
 * its URL on the first line of stdout and answers every request 200 until killed.
 */
import { LatencyTarget } from './latency-target';

void new LatencyTarget().start().then((target) => process.stdout.write(`${target.url}\n`));
