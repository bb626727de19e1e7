import { SluiceError } from '@sluice/errors';

/** Every invalid setting, named in one line: `Invalid configuration: SLUICE_X: expected ...; SLUICE_Y: ...`. */
export class ConfigError extends SluiceError {
  readonly code = 'CONFIG_INVALID';
  readonly category = 'BAD_INPUT';

  constructor(readonly issues: readonly { setting: string; problem: string }[]) {
    super(`Invalid configuration: ${issues.map((i) => `${i.setting}: ${i.problem}`).join('; ')}`);
  }
}
