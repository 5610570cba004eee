import type { EnabledService, ServiceFacts } from '../guest-facts.js';

/** Suffixes a rule need not spell: "ssh" finds ssh.service and ssh.socket. */
const SERVICE_SUFFIXES = ['.service', '.socket'];

function withoutSuffix(name: string): string {
  const suffix = SERVICE_SUFFIXES.find((s) => name.endsWith(s));
  return suffix ? name.slice(0, -suffix.length) : name;
}

function namesOf(service: EnabledService): string[] {
  return [service.name, ...service.aliases].map(withoutSuffix);
}

/**
 * The first enabled service answering to one of `names` (tried in order),
 * by its name or any alias, with or without ".service"/".socket": ['ssh',
 * 'sshd'] finds ssh.service, sshd.service (an alias of ssh.service),
 * ssh.socket, a SysV or OpenRC script "sshd", an Upstart job "ssh".
 * Exact names win over template instances; "sshd@" (or "sshd@.service")
 * matches instances of sshd@.service only, and a plain "vncserver" also
 * matches instances such as vncserver@:1.service.
 */
export function findEnabledService(services: ServiceFacts, names: string[]): EnabledService | undefined {
  const queries = names.map(withoutSuffix);
  for (const query of queries) {
    const exact = services.enabled.find((service) => namesOf(service).includes(query));
    if (exact) return exact;
  }
  for (const query of queries) {
    const prefix = query.endsWith('@') ? query : `${query}@`;
    const instance = services.enabled.find((service) => namesOf(service).some((name) => name.startsWith(prefix) && name.length > prefix.length));
    if (instance) return instance;
  }
  return undefined;
}
