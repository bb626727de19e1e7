import { randomUUID } from 'node:crypto';
import type { RuleFunction } from './registry';
import { textArg } from './string-functions';
import { defineFunction, describe, fail, isMap, requireArray } from './values';

// why: like EMQX's persistent_term cache, a variable is read once and then fixed for the process
const envCache = new Map<string, string>();

/** getenv('FOO') reads EMQXVAR_FOO, as in EMQX, so rules can only see variables meant for them. */
function getenv(name: string): string {
  let value = envCache.get(name);
  if (value === undefined) {
    value = process.env[`EMQXVAR_${name}`] ?? '';
    envCache.set(name, value);
  }
  return value;
}

/** emqx_topic:match(Name, Filter): + is one level, # the rest (and the parent); $-topics skip wildcards. */
export function topicMatches(name: string, filter: string): boolean {
  const names = name.split('/');
  const filters = filter.split('/');
  if (name.startsWith('$') && (filters[0] === '+' || filters[0] === '#')) return false;
  for (let i = 0; i < filters.length; i++) {
    if (filters[i] === '#') return i === filters.length - 1;
    if (i >= names.length) return false;
    if (filters[i] !== '+' && filters[i] !== names[i]) return false;
  }
  return names.length === filters.length;
}

/**
 * contains_topic(TopicFilters, Topic[, QoS]) over a list like [{topic, qos}] (session_subscribed events).
 * EMQX matches each listed topic as the name against the argument as the filter.
 */
function containsTopic(name: string, exact: boolean): RuleFunction {
  return defineFunction(name, 2, 3, (args) => {
    const [list, topic, qos] = args;
    const wanted = textArg(name, topic, 'topic');
    const found = requireArray(name, list).find((entry) => {
      if (!isMap(entry) || typeof entry.topic !== 'string') return false;
      return exact ? entry.topic === wanted : topicMatches(entry.topic, wanted);
    });
    if (found === undefined) return false;
    return args.length === 2 || (isMap(found) && found.qos === qos);
  });
}

export const miscFunctions: RuleFunction[] = [
  defineFunction('uuid_v4', 0, 0, () => randomUUID()),
  defineFunction('uuid_v4_no_hyphen', 0, 0, () => randomUUID().replace(/-/g, '')),
  defineFunction('getenv', 1, 1, ([name]) => {
    if (typeof name !== 'string') return fail('getenv', `name must be a string, got ${describe(name)}`);
    return getenv(name);
  }),
  containsTopic('contains_topic', true),
  containsTopic('contains_topic_match', false),
];
