import { z } from 'zod';

/**
 * A tenant's namespace on a shared broker (EMQX's mountpoint): a topic prefix ending in `/`,
 * without wildcards, not starting with `$` (those topics stay the broker's) or `/`.
 */
export const mountpointSchema = z
  .string()
  .regex(
    /^[^$+#/][^+#]*\/$/,
    'expected a topic prefix ending in "/", without "+", "#" or a leading "$" or "/"',
  );

/**
 * The topic as the tenant sees it: `mountpoint` taken off the front; a topic outside the mountpoint
 * is returned as it is (it cannot arrive through a mounted subscription).
 *
 * @example unmount('acme/', 'acme/sensors/1'); // 'sensors/1'
 */
export function unmount(mountpoint: string | undefined, topic: string): string {
  return mountpoint && topic.startsWith(mountpoint) ? topic.slice(mountpoint.length) : topic;
}
