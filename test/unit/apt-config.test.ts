import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aptReadsPart, parseAptConfig, periodicInterval, resolveAptSetting, type AptConfigFile } from '../../src/rules/support/apt-config.js';

const DISTRO = new URL('../data/distro/debian-12/', import.meta.url);
const file = (path: string, text: string): AptConfigFile => ({ path, parsed: parseAptConfig(text) });

describe('parseAptConfig', () => {
  it('reads flat keys, nested scopes and lists, with lines', () => {
    const text = '// comment\nAPT::Periodic::Enable "1";\nAPT {\n  Periodic {\n    Unattended-Upgrade "1";\n  };\n};\nDPkg::Pre-Invoke { "echo a"; "echo b"; };\n';
    expect(parseAptConfig(text)).toEqual({
      statements: [
        { kind: 'set', key: 'APT::Periodic::Enable', value: '1', line: 2 },
        { kind: 'set', key: 'APT::Periodic::Unattended-Upgrade', value: '1', line: 5 },
        { kind: 'set', key: 'DPkg::Pre-Invoke', value: 'echo a', line: 8 },
        { kind: 'set', key: 'DPkg::Pre-Invoke', value: 'echo b', line: 8 },
      ],
      errors: [],
    });
  });

  it('skips //, /* */ and # comments but keeps #clear and #include, and quoted ";" and "#"', () => {
    const text = '/* a\nblock */ # hash comment\nFoo::Bar "x;y#z"; // trailing\n#clear Foo;\n#include "/etc/apt/other.conf";\nBaz unquoted;\n';
    expect(parseAptConfig(text).statements).toEqual([
      { kind: 'set', key: 'Foo::Bar', value: 'x;y#z', line: 3 },
      { kind: 'clear', key: 'Foo', line: 4 },
      { kind: 'include', path: '/etc/apt/other.conf', line: 5 },
      { kind: 'set', key: 'Baz', value: 'unquoted', line: 6 },
    ]);
  });

  it('reports what apt refuses: unclosed quotes, comments and braces', () => {
    expect(parseAptConfig('A "b;\n').errors[0]).toBe('line 1: a quoted value is never closed');
    expect(parseAptConfig('A { B "1";\n').errors).toEqual(['unbalanced braces: a scope is never closed']);
    expect(parseAptConfig('A "1"; };\n').errors).toEqual(['line 1: unbalanced braces']);
    expect(parseAptConfig('/* never\n').errors).toEqual(['line 1: a /* comment is never closed']);
  });

  it('stops at an absurd nesting depth instead of recursing', () => {
    const deep = `${'A {'.repeat(1000)}${'};'.repeat(1000)}`;
    expect(parseAptConfig(deep).errors[0]).toMatch(/nest deeper than 64/);
  });

  it('reads apt\'s own 01autoremove (real Debian 12 file) as list items of APT::NeverAutoRemove', () => {
    const parsed = parseAptConfig(readFileSync(new URL('apt/etc/apt/apt.conf.d/01autoremove', DISTRO), 'utf8'));
    expect(parsed.errors).toEqual([]);
    expect(parsed.statements.filter((s) => s.kind === 'set' && s.key === 'APT::NeverAutoRemove').length).toBeGreaterThan(0);
  });
});

describe('resolveAptSetting', () => {
  it('lets later files and lines override earlier ones, case-blind, and #clear remove a subtree', () => {
    const files = [
      file('/etc/apt/apt.conf.d/20auto-upgrades', 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n'),
      file('/etc/apt/apt.conf.d/99local', 'apt::periodic::unattended-upgrade "0";\n'),
    ];
    expect(resolveAptSetting(files, 'APT::Periodic::Unattended-Upgrade')).toEqual({ value: '0', path: '/etc/apt/apt.conf.d/99local', line: 1 });
    expect(resolveAptSetting(files, 'APT::Periodic::Update-Package-Lists')).toEqual({ value: '1', path: '/etc/apt/apt.conf.d/20auto-upgrades', line: 1 });
    const cleared = [...files, file('/etc/apt/apt.conf', '#clear APT::Periodic;\n')];
    expect(resolveAptSetting(cleared, 'APT::Periodic::Update-Package-Lists')).toBeUndefined();
    expect(resolveAptSetting(files, 'APT::Periodic::Enable')).toBeUndefined();
  });
});

describe('aptReadsPart', () => {
  it('takes names without an extension or ending in .conf, as apt does', () => {
    expect(['20auto-upgrades', '50unattended-upgrades', '99local.conf', '01autoremove'].every(aptReadsPart)).toBe(true);
    expect(['50unattended-upgrades.ucf-dist', '20auto-upgrades.bak', '20auto-upgrades.dpkg-old', '.hidden', 'with space', 'tilde~'].some(aptReadsPart)).toBe(false);
  });
});

describe('periodicInterval', () => {
  it('reads values as apt.systemd.daily does', () => {
    expect(['0', '', undefined].map(periodicInterval)).toEqual(['off', 'off', 'off']);
    expect(['1', '7', 'always', '12h', '30m', '1d', '3600s'].map(periodicInterval)).toEqual(Array(7).fill('on'));
    expect(['yes', 'true', '1w', '-1'].map(periodicInterval)).toEqual(Array(4).fill('invalid'));
  });
});
