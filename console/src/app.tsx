import type { FunctionComponent } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, createApi, type Api } from './api';
import { ConnectorsScreen } from './screens/connectors';
import { DeadLettersScreen } from './screens/dead-letters';
import { SignIn } from './screens/sign-in';
import { SourcesScreen } from './screens/sources';
import { UsageScreen } from './screens/usage';
import { session } from './session';
import { AppContext, ErrorBox, Loading } from './ui';

/**
 * A screen loaded when first shown: the rules editor (CodeMirror) and the watch chart (uPlot) are
 * most of the bundle, so sign-in and the lists load without them.
 */
function later(load: () => Promise<FunctionComponent>): FunctionComponent {
  let loaded: FunctionComponent | undefined;
  return function Later() {
    const [view, setView] = useState(() => loaded);
    const [failed, setFailed] = useState<Error>();
    useEffect(() => {
      if (!view)
        load()
          .then((v) => setView(() => (loaded = v)))
          .catch((e: Error) => setFailed(e));
    }, []);
    if (failed)
      return <ErrorBox error={failed} title="This screen did not load (is the gateway reachable?)" />;
    const View = view;
    return View ? <View /> : <Loading what="the screen" />;
  };
}

const RulesScreen = later(() => import('./screens/rules').then((m) => m.RulesScreen));
const WatchScreen = later(() => import('./screens/watch').then((m) => m.WatchScreen));

const screens = {
  sources: { title: 'Sources', view: SourcesScreen },
  connectors: { title: 'Connectors', view: ConnectorsScreen },
  rules: { title: 'Rules', view: RulesScreen },
  watch: { title: 'Watch', view: WatchScreen },
  'dead-letters': { title: 'Dead letters', view: DeadLettersScreen },
  usage: { title: 'Usage', view: UsageScreen },
} as const;
type ScreenName = keyof typeof screens;

function currentScreen(): ScreenName {
  const name = location.hash.replace(/^#\/?/, '').split('/')[0] ?? '';
  return name in screens ? (name as ScreenName) : 'sources';
}

interface Who {
  operator: boolean;
  tenants: { id: string; name: string; plan: string }[];
}

/** Finds out what the key is: a tenant key answers `tenant`; the operator key must name one, and lists them. */
async function whoIs(api: Api): Promise<Who> {
  try {
    const { tenant } = await api.query<{ tenant: Who['tenants'][number] }>('{ tenant { id name plan } }');
    return { operator: false, tenants: [tenant] };
  } catch (error) {
    if (!(error instanceof ApiError) || error.extensions['sluiceCode'] !== 'INPUT_INVALID') throw error;
    const { tenants } = await api.query<{ tenants: { nodes: Who['tenants'] } }>(
      '{ tenants(first: 500) { nodes { id name plan } } }',
    );
    return { operator: true, tenants: tenants.nodes };
  }
}

export function App() {
  const [key, setKey] = useState(session.key());
  const [who, setWho] = useState<Who>();
  const [error, setError] = useState<ApiError>();
  const [tenantId, setTenantId] = useState(session.tenant() ?? '');
  const [screen, setScreen] = useState(currentScreen());
  const [expired, setExpired] = useState(false);

  const api = useMemo(
    () =>
      key
        ? createApi(key, () => {
            setExpired(true);
            session.signOut();
            setKey(null);
          })
        : undefined,
    [key],
  );
  useEffect(() => () => api?.close(), [api]);
  useEffect(() => {
    const onHash = () => setScreen(currentScreen());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (!api) return;
    setWho(undefined);
    setError(undefined);
    whoIs(api)
      .then((w) => {
        setWho(w);
        const keep = w.tenants.find((t) => t.id === tenantId);
        const pick = keep?.id ?? w.tenants[0]?.id ?? '';
        setTenantId(pick);
        session.pickTenant(pick);
      })
      .catch((e: ApiError) => setError(e));
  }, [api]);

  if (!key || !api)
    return (
      <SignIn
        notice={expired ? 'Your key was refused (revoked or expired). Sign in again.' : undefined}
        onSignIn={(k) => {
          session.signIn(k);
          setExpired(false);
          setKey(k);
        }}
      />
    );
  const signOut = () => {
    session.signOut();
    setKey(null);
    setWho(undefined);
  };
  const View = screens[screen].view;
  return (
    <div class="shell">
      <header>
        <span class="brand">Sluice</span>
        <nav aria-label="Screens">
          {Object.entries(screens).map(([name, s]) => (
            <a href={`#/${name}`} aria-current={name === screen ? 'page' : undefined}>
              {s.title}
            </a>
          ))}
        </nav>
        <div class="who">
          {who?.operator ? (
            <label>
              <span class="label">Tenant</span>
              <select
                aria-label="Tenant"
                value={tenantId}
                onChange={(e) => {
                  const id = (e.target as HTMLSelectElement).value;
                  setTenantId(id);
                  session.pickTenant(id);
                }}
              >
                {who.tenants.map((t) => (
                  <option value={t.id}>{t.name}</option>
                ))}
              </select>
            </label>
          ) : (
            who && <span class="tenant">{who.tenants[0]?.name}</span>
          )}
          <span class="muted">{who?.operator ? 'operator' : 'tenant key'}</span>
          <button class="link" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main>
        {error && (
          <>
            <ErrorBox error={error} title="Cannot load your account" />
            <button onClick={signOut}>Sign in with another key</button>
          </>
        )}
        {!error && !who && <Loading what="your account" />}
        {who && who.tenants.length === 0 && (
          <div class="empty">No tenant yet. Create one with the API (createTenant) and reload.</div>
        )}
        {who && tenantId && (
          <AppContext.Provider value={{ api, tenantId, operator: who.operator }}>
            <h1>{screens[screen].title}</h1>
            <View key={`${screen}-${tenantId}`} />
          </AppContext.Provider>
        )}
      </main>
    </div>
  );
}
