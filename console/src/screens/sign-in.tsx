import { useState } from 'preact/hooks';

export function SignIn({ onSignIn, notice }: { onSignIn: (key: string) => void; notice?: string }) {
  const [key, setKey] = useState('');
  return (
    <main class="sign-in">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) onSignIn(key.trim());
        }}
      >
        <h1>Sluice</h1>
        <p class="muted">
          Sign in with an API key: the operator key, or a tenant's key. It is kept for this tab only.
        </p>
        {notice && (
          <div class="error" role="alert">
            {notice}
          </div>
        )}
        <label class="field">
          <span class="label">API key</span>
          <input
            type="password"
            name="apiKey"
            autoComplete="off"
            autoFocus
            value={key}
            onInput={(e) => setKey((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={!key.trim()}>
          Sign in
        </button>
      </form>
    </main>
  );
}
