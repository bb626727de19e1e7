import { Empty, ErrorBox, fmt, Loading, useApp, useQuery, useTenantVars } from '../ui';

interface Usage {
  tenantId: string;
  month: string;
  plan: string;
  ruleActions: number;
  freeQuota: number;
  billableActions: number;
  pricePerMillion: number;
  charge: number;
}

const FIELDS = 'tenantId month plan ruleActions freeQuota billableActions pricePerMillion charge';

export function UsageScreen() {
  const { operator } = useApp();
  const vars = useTenantVars();
  const mine = useQuery<{ usage: Usage }>(
    `query($t: ID) { usage(tenantId: $t) { ${FIELDS} } }`,
    vars,
    10_000,
  );
  const u = mine.data?.usage;
  const used = u ? Math.min(100, (u.ruleActions / Math.max(1, u.freeQuota)) * 100) : 0;
  return (
    <section>
      <ErrorBox error={mine.error} title="Cannot read usage" />
      {!u && mine.loading && <Loading what="usage" />}
      {u && (
        <div class="panel">
          <h2>
            {u.month} · plan {u.plan}
          </h2>
          <p>
            <strong>{fmt(u.ruleActions)}</strong> rule actions of {fmt(u.freeQuota)} included (
            {used.toFixed(1)}%).
          </p>
          <progress max={100} value={used} aria-label="Share of the free quota used" />
          <p>
            Billable: {fmt(u.billableActions)} × ${u.pricePerMillion} per million ={' '}
            <strong>${u.charge.toFixed(2)}</strong>
          </p>
        </div>
      )}
      {operator && <AllTenants />}
    </section>
  );
}

function AllTenants() {
  const all = useQuery<{ usageByTenant: Usage[]; tenants: { nodes: { id: string; name: string }[] } }>(
    `{ usageByTenant { ${FIELDS} } tenants(first: 500) { nodes { id name } } }`,
    {},
    10_000,
  );
  const name = (id: string) => all.data?.tenants.nodes.find((t) => t.id === id)?.name ?? id;
  return (
    <>
      <h2>All tenants this month</h2>
      <ErrorBox error={all.error} title="Cannot read usage" />
      {all.data?.usageByTenant.length === 0 && <Empty>No usage recorded this month.</Empty>}
      {!!all.data?.usageByTenant.length && (
        <table>
          <thead>
            <tr>
              <th>Tenant</th>
              <th>Plan</th>
              <th class="num">Rule actions</th>
              <th class="num">Billable</th>
              <th class="num">Charge</th>
            </tr>
          </thead>
          <tbody>
            {all.data.usageByTenant.map((u) => (
              <tr>
                <td>{name(u.tenantId)}</td>
                <td>{u.plan}</td>
                <td class="num">{fmt(u.ruleActions)}</td>
                <td class="num">{fmt(u.billableActions)}</td>
                <td class="num">${u.charge.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
