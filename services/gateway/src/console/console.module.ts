import { Logger, Module, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import serveStatic from 'serve-static';
import { consoleDir } from './console-files';

/**
 * Serves the console (the web UI built from console/ by `npm run build`) at `/`. Static files only:
 * what is not a file falls through to the API routes (/graphql, /api/v5, /health, /metrics) and
 * their 404; the console itself talks to the API over /graphql like any other client.
 */
@Module({})
export class ConsoleModule implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Console');
  private readonly dir = consoleDir();

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    if (!this.dir) return;
    this.adapterHost.httpAdapter.use(
      serveStatic(this.dir, {
        index: ['index.html'],
        // why: Vite names assets by content hash, so a cached one never goes stale; index.html is
        // revalidated so a rebuilt console is picked up at once
        setHeaders: (res, path) =>
          res.setHeader(
            'Cache-Control',
            path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
          ),
      }),
    );
  }

  onApplicationBootstrap(): void {
    if (!this.dir) this.logger.warn('console not built (npm run build builds it): / answers 404');
    else this.logger.log(`console served from ${this.dir}`);
  }
}
