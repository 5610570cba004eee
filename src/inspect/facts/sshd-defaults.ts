// What OpenSSH's sshd (portable 9.x, as Debian, Ubuntu, RHEL and Alpine
// build it) assumes when sshd_config says nothing, and the keyword spellings
// it accepts for one and the same setting. Written from sshd_config(5).

/**
 * Compiled-in defaults of the keywords spotlint's rules ask about (and a few
 * neighbours), as `sshd -T` would print them. Distributions change behaviour
 * through the config files they ship, not these: Debian's own sshd_config
 * turns UsePAM on, the compiled default stays off.
 */
export const SSHD_DEFAULTS: Readonly<Record<string, readonly string[]>> = {
  port: ['22'],
  addressfamily: ['any'],
  hostkey: ['/etc/ssh/ssh_host_rsa_key', '/etc/ssh/ssh_host_ecdsa_key', '/etc/ssh/ssh_host_ed25519_key'],
  logingracetime: ['120'],
  permitrootlogin: ['prohibit-password'],
  strictmodes: ['yes'],
  maxauthtries: ['6'],
  maxsessions: ['10'],
  maxstartups: ['10:30:100'],
  pubkeyauthentication: ['yes'],
  authorizedkeysfile: ['.ssh/authorized_keys', '.ssh/authorized_keys2'],
  authenticationmethods: ['any'],
  passwordauthentication: ['yes'],
  permitemptypasswords: ['no'],
  kbdinteractiveauthentication: ['yes'],
  hostbasedauthentication: ['no'],
  ignorerhosts: ['yes'],
  kerberosauthentication: ['no'],
  gssapiauthentication: ['no'],
  usepam: ['no'],
  permituserenvironment: ['no'],
  allowagentforwarding: ['yes'],
  allowtcpforwarding: ['yes'],
  gatewayports: ['no'],
  permittunnel: ['no'],
  x11forwarding: ['no'],
  x11uselocalhost: ['yes'],
  permittty: ['yes'],
  printmotd: ['yes'],
  tcpkeepalive: ['yes'],
  usedns: ['no'],
  clientaliveinterval: ['0'],
  clientalivecountmax: ['3'],
  compression: ['yes'],
  loglevel: ['INFO'],
  syslogfacility: ['AUTH'],
};

/** Old or alternative keyword names sshd maps onto the keyword on the right. */
export const SSHD_KEYWORD_ALIASES: Readonly<Record<string, string>> = {
  challengeresponseauthentication: 'kbdinteractiveauthentication',
  skeyauthentication: 'kbdinteractiveauthentication',
  dsaauthentication: 'pubkeyauthentication',
  hostdsakey: 'hostkey',
  keepalive: 'tcpkeepalive',
  pubkeyacceptedkeytypes: 'pubkeyacceptedalgorithms',
  hostbasedacceptedkeytypes: 'hostbasedacceptedalgorithms',
};

/**
 * Keywords sshd collects from every line it applies instead of keeping the
 * first: the values of all lines, in read order.
 */
export const ACCUMULATING_SSHD_KEYWORDS: ReadonlySet<string> = new Set([
  'port',
  'listenaddress',
  'hostkey',
  'hostcertificate',
  'allowusers',
  'denyusers',
  'allowgroups',
  'denygroups',
  'acceptenv',
  'subsystem',
]);

/** Keywords whose every applied line overwrites the earlier ones in sshd's parser. */
export const LAST_VALUE_SSHD_KEYWORDS: ReadonlySet<string> = new Set([
  'ipqos',
  'maxstartups',
  'persourcemaxstartups',
  'persourcenetblocksize',
  'streamlocalbindmask',
  'fingerprinthash',
]);

/**
 * Keywords whose argument is one of a fixed set of words that sshd compares
 * without regard to case, with the synonyms it treats as the same word.
 * Not PermitTunnel or PermitUserEnvironment: sshd matches those case-sensitively
 * (PermitUserEnvironment "Yes" is a pattern list, not yes).
 */
const YES_NO: Readonly<Record<string, string>> = {};
export const SSHD_CHOICE_KEYWORDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  usepam: YES_NO,
  passwordauthentication: YES_NO,
  kbdinteractiveauthentication: YES_NO,
  pubkeyauthentication: YES_NO,
  permitemptypasswords: YES_NO,
  hostbasedauthentication: YES_NO,
  hostbasedusesnamefrompacketonly: YES_NO,
  ignoreuserknownhosts: YES_NO,
  kerberosauthentication: YES_NO,
  kerberosorlocalpasswd: YES_NO,
  kerberosticketcleanup: YES_NO,
  kerberosgetafstoken: YES_NO,
  gssapiauthentication: YES_NO,
  gssapicleanupcredentials: YES_NO,
  gssapistrictacceptorcheck: YES_NO,
  printmotd: YES_NO,
  printlastlog: YES_NO,
  x11forwarding: YES_NO,
  x11uselocalhost: YES_NO,
  permittty: YES_NO,
  permituserrc: YES_NO,
  strictmodes: YES_NO,
  tcpkeepalive: YES_NO,
  usedns: YES_NO,
  allowagentforwarding: YES_NO,
  disableforwarding: YES_NO,
  streamlocalbindunlink: YES_NO,
  exposeauthinfo: YES_NO,
  addressfamily: YES_NO,
  ignorerhosts: YES_NO,
  gatewayports: YES_NO,
  permitrootlogin: { 'without-password': 'prohibit-password' },
  compression: { delayed: 'yes' },
  allowtcpforwarding: { all: 'yes' },
  allowstreamlocalforwarding: { all: 'yes' },
};

/** The lower-case name sshd knows a keyword by, aliases resolved. */
export function canonicalSshdKeyword(keyword: string): string {
  const lower = keyword.toLowerCase();
  return Object.hasOwn(SSHD_KEYWORD_ALIASES, lower) ? SSHD_KEYWORD_ALIASES[lower]! : lower;
}

/**
 * The arguments as sshd understands them: choice words in lower case with
 * synonyms merged (PermitRootLogin without-password is prohibit-password),
 * each Subsystem line as one "name command args" entry; others as written.
 */
export function canonicalSshdValues(keyword: string, args: readonly string[]): string[] {
  if (keyword === 'subsystem') return [args.join(' ')];
  if (!Object.hasOwn(SSHD_CHOICE_KEYWORDS, keyword) || args.length === 0) return [...args];
  const synonyms = SSHD_CHOICE_KEYWORDS[keyword]!;
  const word = args[0]!.toLowerCase();
  return [Object.hasOwn(synonyms, word) ? synonyms[word]! : word, ...args.slice(1)];
}
