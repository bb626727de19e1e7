import { Logger, type INestApplication } from '@nestjs/common';
import { ApiKeysRepository } from '@sluice/persistence';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN_KEY } from '../auth/admin-key';
import { authenticateKey } from '../auth/api-key-auth.guard';
import type { AuthenticatedRequest } from '../auth/principal';
import { ClientMistakes } from '../errors/client-mistakes';

/**
 * Largest GraphQL request body: a configuration document (a rule's SQL, a connector's settings
 * with its certificates), far from the publish API's payloads.
 */
export const GRAPHQL_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Installs, in front of the body parsers, what a POST /graphql passes before anything else is done
 * with it: the API key is checked (no key, an unknown or revoked one: 401 without reading the
 * body), then the body must say its length (411) and be at most GRAPHQL_MAX_BODY_BYTES (413).
 * Only then is the JSON parsed, and the document after it, with the GraphQL module's token limit.
 * Each refusal is logged as a client's mistake (sampled; a refused key at warn).
 *
 * @example startNestApp('gateway', module, config, { beforeBodyParser: installGraphqlGate });
 */
export function installGraphqlGate(app: INestApplication): void {
  const adminKey = app.get<string>(ADMIN_KEY, { strict: false });
  const apiKeys = app.get(ApiKeysRepository, { strict: false });
  const mistakes = new ClientMistakes(new Logger('GraphQL'));
  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string) =>
    answer(req, res, status, code, message, mistakes);
  app.use('/graphql', (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (req.method !== 'POST') return next();
    const length = req.headers['content-length'];
    authenticateKey(req.headers.authorization, adminKey, apiKeys).then(
      (principal) => {
        // why a length is required: a chunked body would reach the general parser (16 MB, for the
        // publish API) before anyone counted it
        if (length === undefined) return refuse(req, res, 411, 'LENGTH_REQUIRED', needsLength);
        if (Number(length) > GRAPHQL_MAX_BODY_BYTES)
          return refuse(req, res, 413, 'PAYLOAD_TOO_LARGE', tooLarge);
        (req as unknown as AuthenticatedRequest).principal = principal;
        next();
      },
      (error: unknown) => refuse(req, res, 401, 'UNAUTHENTICATED', (error as Error).message),
    );
  });
}

const tooLarge = `a GraphQL request may have at most ${GRAPHQL_MAX_BODY_BYTES} bytes`;
const needsLength = 'a GraphQL request needs a Content-Length header';

function answer(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  mistakes: ClientMistakes,
): void {
  const sluiceCode = code === 'UNAUTHENTICATED' ? 'UNAUTHORIZED' : code;
  mistakes.note('GraphQL', sluiceCode, message);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code, sluiceCode } }] }));
  // why drain: the body is discarded unparsed, and a client still sending it gets the answer
  req.resume();
}
