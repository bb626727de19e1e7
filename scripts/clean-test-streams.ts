// Removes JetStream streams of test namespaces older than the given minutes (default 60).
import { deleteTestStreams } from '../test/support/nats-cleanup';

const minutes = Number(process.argv[2] ?? 60);
deleteTestStreams({ olderThanMs: minutes * 60_000 }).then(
  (n) => console.log(`removed ${n} test stream(s) older than ${minutes} min`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
