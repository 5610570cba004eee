import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../../src/config/config.js';
import { ExtError } from '../../src/inspect/ext/ext-filesystem.js';
import type { InspectedImage } from '../../src/inspect/inspect-image.js';
import { INTERNAL_ERROR_RULE_ID, runRules, sortFindings } from '../../src/rules/engine.js';
import type { AnyRule, Finding } from '../../src/rules/rule.js';

function rule(id: string, check: AnyRule['check'], defaultSeverity: AnyRule['defaultSeverity'] = 'warning'): AnyRule {
  return {
    id, title: id, defaultSeverity, guideline: '', rationale: '', checks: '', howToFix: '', fixable: 'no',
    options: { type: 'object' }, defaultOptions: { limit: 1 }, check,
  };
}

const inspected = {
  inspection: { image: { virtualSize: 10 }, mounts: [{ mountPoint: '/', partition: 2, spec: 'root' }, { mountPoint: '/boot', partition: 1, spec: 'LABEL=boot' }] },
  guest: null,
  close: async () => {},
} as unknown as InspectedImage;
const config = (entries: [string, ResolvedConfig['rules'] extends Map<string, infer V> ? V : never][] = []): ResolvedConfig =>
  ({ rules: new Map(entries), waivers: [] });

describe('runRules', () => {
  it('keeps running the other rules when one throws, and reports the failure naming the rule', async () => {
    const rules = [
      rule('first', async ({ report }) => report({ message: 'one' })),
      rule('broken', async () => { throw new TypeError('cannot read properties of undefined'); }),
      rule('last', async ({ report }) => report({ message: 'two', location: { path: '/etc/x', line: 3 } })),
    ];
    const { rulesRun, findings } = await runRules(inspected, config(), rules);
    expect(rulesRun).toEqual(['first', 'broken', 'last']);
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([
      [INTERNAL_ERROR_RULE_ID, 'error'], ['first', 'warning'], ['last', 'warning'],
    ]);
    expect(findings[0]!.message).toBe('The rule broken failed (cannot read properties of undefined), so its checks did not run on this image. This is a bug in spotlint; please report it with this message.');
    // A guest path is placed on the partition mounted there.
    expect(findings[2]!.location).toEqual({ partition: 2, path: '/etc/x', line: 3 });
  });

  it('says a rule could not read the guest when a filesystem failed under it', async () => {
    const rules = [rule('reader', async () => { throw new ExtError('WASM_ABORT', 'libext2fs aborted on a corrupt structure', true); })];
    const { findings } = await runRules(inspected, config(), rules);
    expect(findings[0]!.message).toBe('The rule reader could not read the guest (libext2fs aborted on a corrupt structure), so its checks did not run on this image.');
  });

  it('applies the configured level and options, and skips rules that are off', async () => {
    const seen: unknown[] = [];
    const rules = [
      rule('tuned', async ({ options, report }) => { seen.push(options); report({ message: 'x' }); }),
      rule('silenced', async ({ report }) => report({ message: 'never' })),
    ];
    const { rulesRun, findings } = await runRules(inspected, config([
      ['tuned', { level: 'info', options: { limit: 7 } }],
      ['silenced', { level: 'off', options: {} }],
    ]), rules);
    expect(rulesRun).toEqual(['tuned']);
    expect(seen).toEqual([{ limit: 7 }]);
    expect(findings.map((f) => f.severity)).toEqual(['info']);
  });
});

describe('sortFindings', () => {
  it('orders by severity, rule, partition, path and line', () => {
    const f = (ruleId: string, severity: Finding['severity'], location: Finding['location']): Finding => ({ ruleId, severity, location, message: '' });
    const sorted = sortFindings([
      f('b', 'info', {}), f('a', 'warning', { partition: 2 }), f('a', 'warning', { partition: 1, path: '/z' }),
      f('a', 'warning', { partition: 1, path: '/a', line: 9 }), f('a', 'warning', { partition: 1, path: '/a', line: 2 }), f('z', 'error', {}),
    ]);
    expect(sorted.map((x) => [x.ruleId, x.location.partition, x.location.path, x.location.line])).toEqual([
      ['z', undefined, undefined, undefined], ['a', 1, '/a', 2], ['a', 1, '/a', 9], ['a', 1, '/z', undefined], ['a', 2, undefined, undefined], ['b', undefined, undefined, undefined],
    ]);
  });
});

describe('finding locations', () => {
  it('names the partition of the nearest mount above a guest path, unless the rule named one', async () => {
    const rules = [rule('paths', async ({ report }) => {
      report({ message: 'a', location: { path: '/boot/grub/grub.cfg' } });
      report({ message: 'b', location: { path: '/bootstrap.sh' } });
      report({ message: 'c', location: { path: '/etc/hosts', partition: 7 } });
    })];
    const { findings } = await runRules(inspected, config(), rules);
    expect(findings.map((f) => [f.message, f.location.partition])).toEqual([['a', 1], ['b', 2], ['c', 7]]);
  });
});
