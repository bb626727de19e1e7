import { Command, InvalidArgumentError } from 'commander';
import { SluiceError } from '@sluice/errors';

const services = ['ingest', 'rules', 'delivery', 'gateway', 'all'] as const;
type ServiceName = (typeof services)[number];

async function start(service: ServiceName): Promise<void> {
  switch (service) {
    case 'ingest':
      await (await import('../../ingest/src/main')).startIngest();
      return;
    case 'rules':
      await (await import('../../rules/src/main')).startRules();
      return;
    case 'delivery':
      await (await import('../../delivery/src/main')).startDelivery();
      return;
    case 'gateway':
      await (await import('../../gateway/src/main')).startGateway();
      return;
    case 'all':
      await (await import('../../embedded/src/main')).startEmbedded();
      return;
  }
}

/** The `sluice` command: `sluice start [service]`, `sluice rule test`. */
export function buildCli(): Command {
  const program = new Command('sluice').description('MQTT data integration with EMQX-style SQL rules');
  program
    .command('start')
    .description('start one service, or all four in one process (the embedded mode)')
    .argument(
      '[service]',
      `one of ${services.join(', ')}`,
      (value: string) => {
        if (!(services as readonly string[]).includes(value)) {
          throw new InvalidArgumentError(`expected one of ${services.join(', ')}`);
        }
        return value as ServiceName;
      },
      'all',
    )
    .action(async (service: ServiceName) => start(service));
  const rule = program.command('rule').description('work with rules');
  rule
    .command('test')
    .description(
      'evaluate rule SQL against a context; with no flags, reads JSON lines {"sql","context"} on stdin',
    )
    .option('--sql <sql>', 'the rule SQL')
    .option('--context <json>', 'the message context as EMQX rule testing takes it (JSON)')
    .option(
      '--pipeline <file>',
      "add warnings against a pipeline file's sources (a FROM no source feeds, columns no source provides); default SLUICE_PIPELINE_FILE",
    )
    .option('--tenant <id>', 'the tenant of the pipeline file (needed when it has several)')
    .action(async (options: { sql?: string; context?: string; pipeline?: string; tenant?: string }) => {
      const { runRuleTestCli } = await import('@sluice/rule-engine');
      const file = options.pipeline ?? process.env['SLUICE_PIPELINE_FILE'];
      const warningsOf = file
        ? (await import('@sluice/pipeline')).pipelineRuleWarnings(file, options.tenant)
        : undefined;
      process.exitCode = await runRuleTestCli(
        { sql: options.sql, context: options.context, warningsOf },
        process.stdin,
        process.stdout,
      );
    });
  const dlq = program
    .command('dlq')
    .description(
      'list and re-drive dead letters: the mesh (SLUICE_BUS=nats: SLUICE_NATS_URL with SLUICE_NATS_USER/PASSWORD, _TOKEN or _CREDS, SLUICE_BUS_NAMESPACE) or the running embedded process (SLUICE_HTTP_PORT or SLUICE_GATEWAY_URL, SLUICE_ADMIN_KEY)',
    );
  for (const name of ['list', 'redrive'] as const) {
    dlq
      .command(name)
      .description(
        name === 'list'
          ? "print a tenant's dead letters as JSON lines"
          : 'republish dead letters to ACTIONS and remove them',
      )
      .argument('[seqs...]', 'dead letter sequences to re-drive (from `sluice dlq list`)')
      .requiredOption('--tenant <tenant>', 'the tenant')
      .option('--connector <connector>', "only this connector's dead letters")
      .option('--limit <n>', 'most entries to list', '100')
      .option('--all', 're-drive every listed dead letter')
      .action(
        async (
          seqs: string[],
          options: { tenant: string; connector?: string; limit?: string; all?: boolean },
        ) => {
          const { runDlqCli } = await import('@sluice/pipeline');
          process.exitCode = await runDlqCli(name, { ...options, seqs }, process.env, process.stdout);
        },
      );
  }
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    // why: a bad setting stops the process with one clear line, not a stack trace
    const message = error instanceof SluiceError ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(`sluice: ${message}\n`);
    process.exit(1);
  }
}
