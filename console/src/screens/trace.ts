/** The live trace of a rule, as the rules and watch screens subscribe to it. */
export interface TraceEvent {
  messageId: string;
  topic: string;
  matched: boolean;
  outputs: Record<string, unknown>[];
  error: string | null;
  at: string;
  context: Record<string, unknown> | null;
}

export const TRACE = `subscription($r: ID!, $t: ID) { ruleTrace(ruleId: $r, tenantId: $t) {
  messageId topic matched outputs error at context } }`;
