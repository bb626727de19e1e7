import { InitialSchema1795307900000 } from './1795307900000-initial-schema';
import { ConnectorConfiguredBy1796500000000 } from './1796500000000-connector-configured-by';
import { SourceConfiguredBy1796600000000 } from './1796600000000-source-configured-by';

/** Every migration, oldest first. A new one is appended here and never edits an old one. */
export const migrations = [
  InitialSchema1795307900000,
  ConnectorConfiguredBy1796500000000,
  SourceConfiguredBy1796600000000,
];
