/** The little a pipeline stage needs from a logger (Nest's Logger and console both fit). */
export interface StageLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
