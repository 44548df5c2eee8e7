// Vectors of trust as NHS login uses them (RFC 8485; NHS login External
// Interface Specification section 5.1).
//
// A vector is "<identity proofing level>.<authentication credentials>", for
// example "P9.Cp.Cd": identity verified to P9, signed in with a password (Cp)
// and a registered device (Cd). The client asks for a JSON array of acceptable
// vectors in the `vtr` authorization parameter; the vectors are ORed together.
// The ID token carries the one vector achieved as `vot`.

export const PROOFING_LEVELS = Object.freeze({ P0: 0, P5: 5, P9: 9 });

// Credential parts this stand-in recognises, in the order it prefers them when
// several requested vectors share the best proofing level. The demo login asks
// for an email address and password and treats the browser as a registered
// device (NHS login's sandpit uses a fixed one-time passcode for the same
// effect), so "Cp.Cd" is what it really achieves and comes first.
const CREDENTIAL_PREFERENCE = ['Cp.Cd', 'Cp.Ck', 'Cm', 'Cp'];

export const KNOWN_VECTORS = Object.freeze(new Set([
  'P0.Cp',
  ...['P0', 'P5', 'P9'].flatMap((p) => ['Cp.Cd', 'Cp.Ck', 'Cm'].map((c) => `${p}.${c}`)),
]));

// NHS login assumes this when the request has no vtr.
export const DEFAULT_VTR = Object.freeze(['P9.Cp.Cd', 'P9.Cp.Ck', 'P9.Cm']);

export class VtrError extends Error {}

// Parse and check a raw `vtr` parameter value. Returns the list of vectors.
// Throws VtrError with an ASCII message suitable for error_description.
export function parseVtr(raw) {
  if (raw === undefined) {
    return [...DEFAULT_VTR];
  }
  let value;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new VtrError('vtr must be a JSON array of vector strings, for example ["P9.Cp.Cd","P9.Cp.Ck","P9.Cm"]');
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new VtrError('vtr must be a non-empty JSON array of vector strings');
  }
  for (const vector of value) {
    if (typeof vector !== 'string' || !KNOWN_VECTORS.has(vector)) {
      const shown = typeof vector === 'string' ? vector.replace(/[^\x20-\x7e]/g, '?').slice(0, 40) : typeof vector;
      throw new VtrError(`vtr contains an unknown vector: ${shown}`);
    }
  }
  return value;
}

function levelOf(vector) {
  return vector.split('.')[0];
}

function credentialsOf(vector) {
  return vector.split('.').slice(1).join('.');
}

// The vector to report as `vot` for a user with proofing level `userLevel`
// (P0, P5 or P9), given the requested vectors. Picks the highest proofing
// level among the requested vectors that the user satisfies. Returns
// { vot } or { error } where error is an ASCII error_description.
export function achieveVot(vectors, userLevel) {
  const userRank = PROOFING_LEVELS[userLevel];
  if (userRank === undefined) {
    return { error: 'the account has no usable identity proofing level' };
  }
  const satisfied = vectors.filter((v) => PROOFING_LEVELS[levelOf(v)] <= userRank);
  if (satisfied.length === 0) {
    const needed = [...new Set(vectors.map(levelOf))].sort().join(' or ');
    return {
      error: `identity proofing level insufficient: the request needs ${needed} but this NHS login is verified to ${userLevel}`,
    };
  }
  const best = Math.max(...satisfied.map((v) => PROOFING_LEVELS[levelOf(v)]));
  const candidates = satisfied.filter((v) => PROOFING_LEVELS[levelOf(v)] === best);
  candidates.sort((a, b) => CREDENTIAL_PREFERENCE.indexOf(credentialsOf(a))
    - CREDENTIAL_PREFERENCE.indexOf(credentialsOf(b)));
  return { vot: candidates[0] };
}
