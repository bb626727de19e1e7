import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Api } from './api';

export interface Ctx {
  api: Api;
  /** The tenant every operation acts on. */
  tenantId: string;
  operator: boolean;
}

export const AppContext = createContext<Ctx | null>(null);

export function useApp(): Ctx {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error('outside the signed-in app');
  return ctx;
}

/** The variables every tenant-scoped operation takes: `tenantId` for the operator, nothing for a tenant key. */
export function useTenantVars(): Record<string, unknown> {
  const { tenantId, operator } = useApp();
  return operator ? { t: tenantId } : {};
}

export interface Loaded<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  reload: () => void;
}

/** Runs a query now, whenever `deps` change, and every `pollMs` (live screens). */
export function useQuery<T>(
  query: string,
  variables: Record<string, unknown>,
  pollMs = 0,
  deps: unknown[] = [],
): Loaded<T> {
  const { api } = useApp();
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const vars = JSON.stringify(variables);
  const run = useCallback(() => {
    api
      .query<T>(query, JSON.parse(vars) as Record<string, unknown>)
      .then((data) => setState({ data, loading: false }))
      .catch((error: ApiError) => setState((s) => ({ data: s.data, error, loading: false })));
  }, [api, query, vars, ...deps]);
  useEffect(() => {
    run();
    if (!pollMs) return;
    const timer = setInterval(run, pollMs);
    return () => clearInterval(timer);
  }, [run, pollMs]);
  return { ...state, reload: run };
}

/** A mutation's state: running, its error, and what it answered. */
export function useAction<A extends unknown[], T>(fn: (...args: A) => Promise<T>) {
  const [state, setState] = useState<{ busy: boolean; error?: ApiError; result?: T }>({ busy: false });
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);
  const run = async (...args: A): Promise<T | undefined> => {
    setState({ busy: true });
    try {
      const result = await fn(...args);
      if (mounted.current) setState({ busy: false, result });
      return result;
    } catch (error) {
      if (mounted.current) setState({ busy: false, error: error as ApiError });
      return undefined;
    }
  };
  return { ...state, run, clear: () => setState({ busy: false }) };
}

export function ErrorBox({ error, title }: { error?: ApiError | Error; title?: string }) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : undefined;
  const field = error instanceof ApiError ? (error.extensions['field'] as string | undefined) : undefined;
  return (
    <div class="error" role="alert">
      <strong>{title ?? 'Something went wrong'}</strong>
      <span>{error.message}</span>
      {(code || field) && <small>{[code, field && `field ${field}`].filter(Boolean).join(' · ')}</small>}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" aria-busy="true">
      Loading {what}…
    </p>
  );
}

/** Live state of a source or connector, one badge per replica that announced itself. */
export function StatusBadges({
  status,
}: {
  status: { node: string; state: string; reason?: string | null }[];
}) {
  if (status.length === 0) return <span class="badge unknown">no status yet</span>;
  return (
    <span class="badges">
      {status.map((s) => (
        <span class={`badge ${s.state}`} title={`${s.node}${s.reason ? `: ${s.reason}` : ''}`}>
          {s.state}
          {s.reason ? ` — ${s.reason}` : ''}
        </span>
      ))}
    </span>
  );
}

export function Field({
  label,
  hint,
  children,
}: {
  label: string;
  hint?: string;
  children: ComponentChildren;
}) {
  return (
    <label class="field">
      <span class="label">{label}</span>
      {children}
      {hint && <small class="hint">{hint}</small>}
    </label>
  );
}

export function fmt(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en') : n.toLocaleString('en', { maximumFractionDigits: 2 });
}
