import { resolveTenant } from './current-tenant.decorator';

describe('resolveTenant', () => {
  const tenantKey = { kind: 'tenant', tenantId: 't1', keyId: 'k' } as const;

  it('gives a tenant key its own tenant, named or not', () => {
    expect(resolveTenant(tenantKey, undefined)).toBe('t1');
    expect(resolveTenant(tenantKey, 't1')).toBe('t1');
  });

  it('forbids a tenant key to name another tenant', () => {
    expect(() => resolveTenant(tenantKey, 't2')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });

  it('makes the operator name the tenant', () => {
    expect(resolveTenant({ kind: 'operator' }, 't2')).toBe('t2');
    expect(() => resolveTenant({ kind: 'operator' }, undefined)).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID', field: 'tenantId' }),
    );
  });

  it('refuses an unauthenticated call', () => {
    expect(() => resolveTenant(undefined, 't1')).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
  });
});
