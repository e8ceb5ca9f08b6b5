import { useEffect, useState, type FormEvent } from 'react';
import { saveSession, type Session } from '../session.ts';
import { Choice } from '../ui.tsx';

interface PartnerChoice {
  id: string;
  name: string;
  roles: string[];
}

const ROLES: [string, string][] = [
  ['partner', 'Partner (supplier or customer portal)'],
  ['buyer', 'Buyer'],
  ['finance', 'Finance'],
  ['sales', 'Sales'],
  ['analyst', 'Analyst (network explorer)'],
  ['admin', 'Administrator'],
];

/**
 * Development sign-in: the gateway mints a development token for the chosen role, and only while it runs on
 * development secrets. With an identity provider configured, the gateway refuses and this page says so.
 */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session, partnerRoles: string[]) => void }) {
  const [available, setAvailable] = useState<string>('checking');
  const [partners, setPartners] = useState<PartnerChoice[]>([]);
  const [role, setRole] = useState('partner');
  const [partnerId, setPartnerId] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    fetch('/auth/dev')
      .then(async (response) => {
        const body = (await response.json()) as { partners?: PartnerChoice[]; error?: string };
        if (!response.ok) return setAvailable(body.error ?? 'development sign-in is off');
        setPartners(body.partners ?? []);
        setAvailable('on');
      })
      .catch(() => setAvailable('The gateway does not answer: is `npm start` running?'));
  }, []);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (role === 'partner' && !partnerId) return setError('Choose the partner you act for.');
    setError(undefined);
    setBusy(true);
    fetch('/auth/dev', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role, ...(role === 'partner' ? { partnerId } : {}) }),
    })
      .then(async (response) => {
        const body = (await response.json()) as { token?: string; error?: string };
        const session = body.token ? saveSession(body.token) : undefined;
        if (!session) return setError(body.error ?? 'Sign-in failed.');
        onSignedIn(session, partners.find((partner) => partner.id === partnerId)?.roles ?? []);
      })
      .catch(() => setError('The gateway does not answer: try again.'))
      .finally(() => setBusy(false));
  };

  return (
    <section className="signin" aria-labelledby="signin-heading">
      <h1 id="signin-heading">Sign in</h1>
      {available === 'checking' ? <p role="status">Checking how to sign in…</p> : null}
      {available !== 'checking' && available !== 'on' ? <p role="alert">{available}</p> : null}
      {available === 'on' ? (
        <form onSubmit={onSubmit} aria-label="Development sign-in">
          <p>
            Development sign-in: pick who you are. Production deployments sign in through the identity
            provider.
          </p>
          <label htmlFor="signin-role">Role</label>
          <select id="signin-role" value={role} onChange={(event) => setRole(event.target.value)}>
            {ROLES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          {role === 'partner' ? (
            <>
              <label htmlFor="signin-partner">Partner</label>
              <Choice
                id="signin-partner"
                value={partnerId}
                onChange={setPartnerId}
                options={partners.map((partner) => ({
                  value: partner.id,
                  label: `${partner.name} (${partner.roles.map((r) => r.toLowerCase()).join(', ')})`,
                }))}
              />
            </>
          ) : null}
          <button type="submit" disabled={busy}>
            Sign in
          </button>
          {error ? (
            <p role="alert" className="error">
              {error}
            </p>
          ) : null}
        </form>
      ) : null}
    </section>
  );
}
