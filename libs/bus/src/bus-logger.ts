/** What the bus logs through; Nest's `Logger` and `console` both fit. */
export interface BusLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: BusLogger = { log: () => {}, warn: () => {}, error: () => {} };
