import { describe, expect, it } from 'vitest';
import type { Waiver } from '../../src/config/config.js';
import { applyWaivers } from '../../src/config/waivers.js';
import type { Finding, FindingLocation } from '../../src/rules/rule.js';

function finding(ruleId: string, location: FindingLocation = {}): Finding {
  return { ruleId, severity: 'error', message: `${ruleId} found something`, location };
}

const TODAY = '2026-06-15';

describe('applyWaivers', () => {
  it('suppresses every finding of the rule when the waiver names no path or partition', () => {
    const findings = [finding('ssh-password-auth', { path: '/etc/ssh/sshd_config', partition: 1 }), finding('ssh-password-auth'), finding('image-size')];
    const { expired } = applyWaivers(findings, [{ rule: 'ssh-password-auth', reason: 'bastion only' }], TODAY);
    expect(findings.map((f) => f.suppressed)).toEqual([{ reason: 'bastion only' }, { reason: 'bastion only' }, undefined]);
    expect(expired).toEqual([]);
  });

  it('matches the path exactly, ignoring trailing slashes', () => {
    const findings = [
      finding('world-writable', { path: '/srv/data/' }),
      finding('world-writable', { path: '/srv/data/cache' }),
      finding('world-writable', { path: '/srv' }),
      finding('world-writable'),
    ];
    applyWaivers(findings, [{ rule: 'world-writable', path: '/srv/data', reason: 'shared scratch' }], TODAY);
    expect(findings.map((f) => f.suppressed !== undefined)).toEqual([true, false, false, false]);
  });

  it('treats / and // as the root', () => {
    const findings = [finding('world-writable', { path: '/' })];
    applyWaivers(findings, [{ rule: 'world-writable', path: '//', reason: 'root' }], TODAY);
    expect(findings[0]!.suppressed).toEqual({ reason: 'root' });
  });

  it('matches the partition when the waiver gives one', () => {
    const findings = [
      finding('filesystem-clean', { partition: 2 }),
      finding('filesystem-clean', { partition: 1 }),
      finding('filesystem-clean', { partition: null }),
      finding('filesystem-clean'),
    ];
    applyWaivers(findings, [{ rule: 'filesystem-clean', partition: 2, reason: 'scratch disk' }], TODAY);
    expect(findings.map((f) => f.suppressed !== undefined)).toEqual([true, false, false, false]);
  });

  it('needs both path and partition to match when the waiver gives both', () => {
    const findings = [finding('x', { partition: 1, path: '/etc/a' }), finding('x', { partition: 2, path: '/etc/a' }), finding('x', { partition: 1, path: '/etc/b' })];
    applyWaivers(findings, [{ rule: 'x', partition: 1, path: '/etc/a', reason: 'r' }], TODAY);
    expect(findings.map((f) => f.suppressed !== undefined)).toEqual([true, false, false]);
  });

  it('carries the expiry day into the suppression; a waiver expiring today still applies', () => {
    const findings = [finding('image-size')];
    const { expired } = applyWaivers(findings, [{ rule: 'image-size', reason: 'until the rebuild', expires: TODAY }], TODAY);
    expect(findings[0]!.suppressed).toEqual({ reason: 'until the rebuild', expires: TODAY });
    expect(expired).toEqual([]);
  });

  it('returns an expired waiver once, matched or not, and lets it suppress nothing', () => {
    const stale: Waiver = { rule: 'image-size', reason: 'old', expires: '2026-06-14' };
    const unused: Waiver = { rule: 'phone-home', reason: 'old too', expires: '2025-12-31' };
    const live: Waiver = { rule: 'filesystem-clean', reason: 'fine', expires: '2027-01-01' };
    const findings = [finding('image-size'), finding('image-size'), finding('filesystem-clean')];
    const { expired } = applyWaivers(findings, [stale, unused, live], TODAY);
    expect(expired).toEqual([stale, unused]);
    expect(findings.map((f) => f.suppressed)).toEqual([undefined, undefined, { reason: 'fine', expires: '2027-01-01' }]);
  });

  it('lets the first matching waiver give the reason', () => {
    const findings = [finding('image-size')];
    applyWaivers(findings, [{ rule: 'image-size', reason: 'first' }, { rule: 'image-size', reason: 'second' }], TODAY);
    expect(findings[0]!.suppressed).toEqual({ reason: 'first' });
  });
});
