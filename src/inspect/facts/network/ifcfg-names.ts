// Which ifcfg-* files the Red Hat and SUSE network scripts read, and the
// interface a file's name gives.

/**
 * Editor and package-manager leftovers that initscripts, NetworkManager's
 * ifcfg-rh plugin and wicked all pass over, so an ifcfg-eth0.bak never
 * configures anything.
 */
const LEFTOVER = /(~|\.(bak|old|orig|rej|swp|tmp|rpmnew|rpmorig|rpmsave|dpkg-[a-z]+))$/;

export function isIgnoredIfcfgName(name: string): boolean {
  return !name.startsWith('ifcfg-') || name === 'ifcfg-' || LEFTOVER.test(name) || name.startsWith('.');
}

/** "ifcfg-eth0" -> "eth0", from a path or a bare name. */
export function ifcfgSuffix(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.startsWith('ifcfg-') ? name.slice('ifcfg-'.length) : name;
}

/** IPADDR, or one of the numbered IPADDR0, IPADDR1 ... both stacks accept. */
export function hasIpAddress(variables: ReadonlyMap<string, { value: string }>): boolean {
  for (const [key, { value }] of variables) if (/^IPADDR\d*$/.test(key) && value !== '') return true;
  return false;
}
