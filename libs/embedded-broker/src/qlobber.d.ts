// why by hand: qlobber ships no types; this is the part of its API the intake uses
declare module 'qlobber' {
  export interface QlobberOptions {
    separator?: string;
    wildcard_one?: string;
    wildcard_some?: string;
    match_empty_levels?: boolean;
  }
  export class Qlobber<V> {
    constructor(options?: QlobberOptions);
    add(topic: string, val: V): this;
    remove(topic: string, val?: V): this;
    /** The values of every filter matching `topic`; a value added under two matching filters comes twice. */
    match(topic: string): V[];
  }
}
