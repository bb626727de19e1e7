import { connectorKindSchema, connectorKinds } from '@sluice/connectors';

describe('connectorKindSchema', () => {
  it('has a config and an action schema for every built-in kind', () => {
    for (const kind of connectorKinds()) {
      const schema = connectorKindSchema(kind);
      expect(schema?.config.type, kind).toBe('object');
      expect(schema?.action.type, kind).toBe('object');
    }
  });

  it('derives required fields, enums and defaults from the zod schema', () => {
    const mqtt = connectorKindSchema('mqtt')!;
    expect(mqtt.config.required).toEqual(['url']);
    const props = mqtt.config.properties as Record<string, Record<string, unknown>>;
    expect(props.keepaliveSec).toMatchObject({ type: 'integer', default: 60 });
    expect(mqtt.action.required).toEqual(['topic']);
    // strict objects refuse unknown fields, so a form must not invent any
    expect(mqtt.config.additionalProperties).toBe(false);
  });

  it('answers undefined for a kind it does not know', () => {
    expect(connectorKindSchema('smtp')).toBeUndefined();
  });
});
