// Upstart job files are hand-written here: no package reachable from these
// tests ships Upstart jobs (Debian 12 has no Upstart; Ubuntu dropped it in 15.04).
import { describe, expect, it } from 'vitest';
import { parseUpstartStanzas, upstartStartCondition } from '../../src/inspect/facts/services/upstart-jobs.js';

/** In the style of Ubuntu 14.04's ssh job. */
const SSH_CONF = `# ssh - OpenBSD Secure Shell server
#
# The OpenSSH server provides secure shell access to the system.

description	"OpenSSH server"

start on runlevel [2345]
stop on runlevel [!2345]

respawn
respawn limit 10 5
umask 022

pre-start script
    test -x /usr/sbin/sshd || { stop; exit 0; }
    mkdir -p -m0755 /var/run/sshd
end script

exec /usr/sbin/sshd -D
`;

/** A start condition over several lines inside parentheses, with a comment in between. */
const NETWORKED_CONF = `description "waits for the network (and the filesystems)"
start on (local-filesystems # the disks first
          and net-device-up IFACE!=lo)
stop on runlevel [016]
`;

describe('parseUpstartStanzas', () => {
  it('finds start on, skipping comments, other stanzas and script blocks', () => {
    expect(parseUpstartStanzas(SSH_CONF)).toEqual([{ kind: 'start on', value: 'runlevel [2345]', line: 7 }]);
  });

  it('joins a start on expression across lines while parentheses are open', () => {
    expect(parseUpstartStanzas(NETWORKED_CONF)).toEqual([
      { kind: 'start on', value: '(local-filesystems and net-device-up IFACE!=lo)', line: 2 },
    ]);
  });

  it('joins backslash continuations', () => {
    expect(parseUpstartStanzas('start on started dbus \\\n    or runlevel [2345]\n')).toEqual([
      { kind: 'start on', value: 'started dbus or runlevel [2345]', line: 1 },
    ]);
  });

  it('does not read shell inside script ... end script as stanzas', () => {
    const text = 'script\n  manual\n  start on nothing\nend script\npost-stop script\nmanual\nend script\n';
    expect(parseUpstartStanzas(text)).toEqual([]);
  });

  it('does not take a "(" inside quotes as an open expression', () => {
    const text = 'description "a job (with a note"\nstart on startup\n';
    expect(parseUpstartStanzas(text)).toEqual([{ kind: 'start on', value: 'startup', line: 2 }]);
  });
});

describe('upstartStartCondition', () => {
  it('starts a job with start on and no override', () => {
    const condition = upstartStartCondition(SSH_CONF);
    expect(condition.startOn).toEqual({ value: 'runlevel [2345]', file: 'conf', line: 7 });
    expect(condition.hasStartOn).toBe(true);
  });

  it('does not start a job whose override says manual', () => {
    const condition = upstartStartCondition(SSH_CONF, 'manual\n');
    expect(condition.startOn).toBeUndefined();
    expect(condition.manual).toEqual({ file: 'override', line: 1 });
    expect(condition.hasStartOn).toBe(true);
  });

  it('does not start a job with manual after start on in the .conf', () => {
    expect(upstartStartCondition(`${SSH_CONF}manual\n`).startOn).toBeUndefined();
  });

  it('starts a job whose override sets start on again after a manual .conf', () => {
    const condition = upstartStartCondition('manual\nexec /usr/bin/thing\n', 'start on runlevel [2345]\n');
    expect(condition.startOn).toEqual({ value: 'runlevel [2345]', file: 'override', line: 1 });
  });

  it('does not start a job with no start on at all (started by hand or by another job)', () => {
    expect(upstartStartCondition('task\nexec /bin/true\n')).toEqual({ hasStartOn: false });
  });
});
