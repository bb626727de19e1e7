/** The publish API's ApiKeyVerifier (persistence-backed in the gateway; replaceable in tests). */
export const API_KEY_VERIFIER = Symbol('API_KEY_VERIFIER');
/** The resolved PublishConfig (limits, pool and timeouts). */
export const PUBLISH_CONFIG = Symbol('PUBLISH_CONFIG');
