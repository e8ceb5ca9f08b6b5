import { parseArgs } from 'node:util';
import { loadConfig } from '../platform/config.ts';
import { isRole, ROLES } from '../platform/auth/principal.ts';
import { signDevToken } from '../gateway/auth.ts';

/** `npm run -s token -- --role buyer [--partner <id>] [--subject alice]`: a development JWT on stdout. */
const { values } = parseArgs({
  options: {
    role: { type: 'string', multiple: true },
    partner: { type: 'string' },
    subject: { type: 'string' },
    ttl: { type: 'string', default: '8h' },
  },
});
const roles = values.role ?? ['admin'];
const unknown = roles.filter((role) => !isRole(role));
if (unknown.length > 0) {
  console.error(`unknown role ${unknown.join(', ')}; roles are ${ROLES.join(', ')}`);
  process.exit(2);
}
if (roles.includes('partner') && !values.partner) {
  console.error('a partner token needs --partner <partner id>');
  process.exit(2);
}
const config = await loadConfig();
if (!config.jwt.secret) {
  console.error('JWT_JWKS_URL is set: tokens come from your identity provider, not from this command');
  process.exit(2);
}
console.log(
  await signDevToken(
    config.jwt.secret,
    { subject: values.subject ?? `dev-${roles.join('-')}`, roles, partnerId: values.partner },
    values.ttl,
  ),
);
