export { fallBackToMqtt311, refusesProtocolVersion } from './protocol-fallback';
export { writeOncePerTurn } from './write-once-per-turn';
export { connectMqtt } from './connect-checked';
